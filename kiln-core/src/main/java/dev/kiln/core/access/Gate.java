package dev.kiln.core.access;

import dev.kiln.core.error.KilnException;

/** Decides whether a caller may do what a route or RPC requires, and hears how allowed calls ended. */
public interface Gate {
  /**
   * What the caller may do, if it may do {@code permission}. A refusal is thrown, so that it reaches the wire by the
   * same path as every other error (each protocol's one error table).
   *
   * @param model the model the call is about, or null (an action not about one model)
   * @return what else the caller may do (for listings, ownership and targets named in a body); its principal is what
   *     usage is recorded and jobs are owned under
   * @throws KilnException UNAUTHENTICATED (no key, or an unknown, revoked or expired one), PERMISSION_DENIED (a valid
   *     key without the scope) or RATE_LIMITED (over a rate limit or quota, with a retry-after)
   */
  Grants check(Caller caller, Permission permission, String model);

  /**
   * An allowed model call finished (for usage accounting).
   *
   * @param rows rows (batch entries) the call carried, 0 if unknown
   */
  default void finished(String principal, String model, boolean ok, long rows, long latencyNanos) {}

  /** A language-model call used {@code tokens} (prompt + completion), for token quotas and usage. */
  default void tokens(String principal, String model, long tokens) {}

  /** Auth off: everyone may do everything. */
  Gate OPEN = (caller, permission, model) -> Grants.all("anonymous");
}
