package dev.kiln.core.error;

/**
 * What went wrong, in the vocabulary every protocol can map: each adapter owns one mapping from this to its
 * status codes (HTTP status, gRPC {@code Status.Code}, OpenAI error type).
 */
public enum ErrorKind {
  /** The request is malformed or does not fit the model (HTTP 400, gRPC INVALID_ARGUMENT). */
  INVALID_ARGUMENT,
  /** No such model or version (HTTP 404, gRPC NOT_FOUND). */
  NOT_FOUND,
  /** The model exists but cannot serve now: loading, unloading, failed, server draining (HTTP 503, UNAVAILABLE). */
  UNAVAILABLE,
  /** A bounded resource is full: queue, payload size (HTTP 503/413, RESOURCE_EXHAUSTED or UNAVAILABLE). */
  RESOURCE_EXHAUSTED,
  /** The request waited longer than its deadline (HTTP 504, DEADLINE_EXCEEDED). */
  DEADLINE_EXCEEDED,
  /** The operation is not supported by this server or model (HTTP 501, UNIMPLEMENTED). */
  UNSUPPORTED,
  /** The operation is not allowed in the server's current configuration (HTTP 403, FAILED_PRECONDITION). */
  FAILED_PRECONDITION,
  /** The target exists but is in the wrong state for this, e.g. deploying an unfinished job (HTTP 409, gRPC
   * FAILED_PRECONDITION). */
  CONFLICT,
  /** No credentials, or credentials that are unknown, revoked or expired (HTTP 401, gRPC UNAUTHENTICATED). */
  UNAUTHENTICATED,
  /** Valid credentials without the permission (HTTP 403, gRPC PERMISSION_DENIED). */
  PERMISSION_DENIED,
  /** A rate limit or quota of the caller is used up (HTTP 429 with Retry-After, gRPC RESOURCE_EXHAUSTED). */
  RATE_LIMITED,
  /** A fault of ours or of the engine; the message is generic, details stay in the log (HTTP 500, INTERNAL). */
  INTERNAL
}
