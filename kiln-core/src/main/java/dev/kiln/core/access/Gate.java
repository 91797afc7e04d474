package dev.kiln.core.access;

/** Decides whether a caller may do what a route or RPC requires, and hears how allowed calls ended. */
public interface Gate {
  /**
   * @param model the model the call is about, or null (an action not about one model)
   */
  Verdict check(Caller caller, Permission permission, String model);

  /**
   * An allowed model call finished (for usage accounting).
   *
   * @param rows rows (batch entries) the call carried, 0 if unknown
   */
  default void finished(String principal, String model, boolean ok, long rows, long latencyNanos) {}

  /** A language-model call used {@code tokens} (prompt + completion), for token quotas and usage. */
  default void tokens(String principal, String model, long tokens) {}

  /** Auth off: everyone may do everything. */
  Gate OPEN = (caller, permission, model) -> new Verdict.Allowed(Grants.all("anonymous"));
}
