package dev.kiln.core.error;

/**
 * What went wrong, in the vocabulary every protocol can map. Each protocol has exactly one table from this to its
 * codes, an exhaustive switch tested over every constant: {@code HttpErrors.status} (HTTP), {@code GrpcErrors.code}
 * (gRPC), {@code OpenAiErrors.of} (OpenAI's error type and code). Each constant below states its row; a new constant
 * needs a row in every table (the compiler and the table tests insist).
 */
public enum ErrorKind {
  /** The request is malformed or does not fit the model: HTTP 400, gRPC INVALID_ARGUMENT. */
  INVALID_ARGUMENT,
  /** No such model or version: HTTP 404, gRPC NOT_FOUND. */
  NOT_FOUND,
  /**
   * The model exists but cannot serve now (loading, unloading, failed, server draining): HTTP 503, gRPC UNAVAILABLE.
   */
  UNAVAILABLE,
  /**
   * A bounded resource of the server is full, such as a model's queue: HTTP 503, gRPC UNAVAILABLE (as Triton answers:
   * both tell clients to retry later).
   */
  RESOURCE_EXHAUSTED,
  /** The request is larger than a configured limit (a body, a dataset upload): HTTP 413, gRPC RESOURCE_EXHAUSTED. */
  TOO_LARGE,
  /** The request waited longer than its deadline: HTTP 504, gRPC DEADLINE_EXCEEDED. */
  DEADLINE_EXCEEDED,
  /** The operation is not supported by this server or model: HTTP 501, gRPC UNIMPLEMENTED. */
  UNSUPPORTED,
  /**
   * The operation is not allowed in the server's current configuration or state, e.g. model control off or a version
   * still uploading: HTTP 400, gRPC FAILED_PRECONDITION.
   */
  FAILED_PRECONDITION,
  /**
   * The target exists but is in the wrong state for this, e.g. deploying an unfinished job: HTTP 409, gRPC
   * FAILED_PRECONDITION.
   */
  CONFLICT,
  /**
   * No credentials, or credentials that are unknown, revoked or expired: HTTP 401 (with a Bearer challenge), gRPC
   * UNAUTHENTICATED.
   */
  UNAUTHENTICATED,
  /** Valid credentials without the permission: HTTP 403, gRPC PERMISSION_DENIED. */
  PERMISSION_DENIED,
  /**
   * A rate limit or quota of the caller is used up: HTTP 429, gRPC RESOURCE_EXHAUSTED; the exception's retry-after
   * becomes HTTP's Retry-After header and gRPC's {@code retry-after} trailer.
   */
  RATE_LIMITED,
  /** A fault of ours or of the engine; the message is generic, details stay in the log: HTTP 500, gRPC INTERNAL. */
  INTERNAL
}
