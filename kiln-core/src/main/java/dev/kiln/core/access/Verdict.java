package dev.kiln.core.access;

/** A gate's answer. Adapters map each to their protocol: 401/403/429 or UNAUTHENTICATED/PERMISSION_DENIED/RESOURCE_EXHAUSTED. */
public sealed interface Verdict {
  /** Go ahead; {@code principal} (a key id, or {@code anonymous} with auth off) is what usage is recorded under. */
  record Allowed(String principal) implements Verdict {}

  /** No key, an unknown, revoked or expired key. */
  record Unauthenticated(String reason) implements Verdict {}

  /** A valid key without the scope. */
  record Denied(String reason) implements Verdict {}

  /** Over a rate limit or quota; retry after {@code retryAfterSeconds}. */
  record Limited(String reason, long retryAfterSeconds) implements Verdict {}
}
