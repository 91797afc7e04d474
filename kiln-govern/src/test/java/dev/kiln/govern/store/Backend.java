package dev.kiln.govern.store;

/** The databases every store test runs on. */
public enum Backend {
  /** Always: a fresh file in the test's temporary folder. */
  SQLITE,
  /**
   * A fresh schema in the PostgreSQL at {@code KILN_TEST_POSTGRES_URL}. Skipped when that is unset, except under CI
   * ({@code CI=true}), where a missing database must fail the build rather than quietly test half of it.
   */
  POSTGRESQL
}
