package dev.kiln.core.access;

/** A gate's answer. Adapters map each to their protocol: 401/403/429 or UNAUTHENTICATED/PERMISSION_DENIED/RESOURCE_EXHAUSTED. */
public sealed interface Verdict {
  /**
   * Go ahead; {@code grants} say what else the caller may do (for listings, ownership and targets named in a body).
   */
  record Allowed(Grants grants) implements Verdict {
    public Allowed {
      java.util.Objects.requireNonNull(grants, "grants");
    }

    /** A key id, or {@code anonymous} with auth off: what usage is recorded and jobs are owned under. */
    public String principal() {
      return grants.principal();
    }
  }

  /** No key, an unknown, revoked or expired key. */
  record Unauthenticated(String reason) implements Verdict {}

  /** A valid key without the scope. */
  record Denied(String reason) implements Verdict {}

  /** Over a rate limit or quota; retry after {@code retryAfterSeconds}. */
  record Limited(String reason, long retryAfterSeconds) implements Verdict {}
}
