package dev.kiln.scoring;

import dev.kiln.govern.store.Backend;
import org.junit.jupiter.api.Nested;

/**
 * Batch scoring on each database: SQLite always; PostgreSQL at {@code KILN_TEST_POSTGRES_URL} (skipped when unset,
 * failed under CI).
 */
class ScoringStoresTest {
  @Nested
  class OnSqlite extends ScoringResumeTest {
    OnSqlite() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class OnPostgresql extends ScoringResumeTest {
    OnPostgresql() {
      super(Backend.POSTGRESQL);
    }
  }
}
