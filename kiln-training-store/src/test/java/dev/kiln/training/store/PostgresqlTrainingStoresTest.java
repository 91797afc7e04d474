package dev.kiln.training.store;

import dev.kiln.govern.store.Backend;
import org.junit.jupiter.api.Nested;

/** Training's database stores on PostgreSQL at KILN_TEST_POSTGRES_URL (skipped when unset, failed under CI). */
class PostgresqlTrainingStoresTest {
  @Nested
  class Jobs extends JdbcJobStoreTest {
    Jobs() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class JobLists extends JdbcJobListTest {
    JobLists() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Sweeps extends JdbcSweepStoreTest {
    Sweeps() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Legacy extends LegacyJobsTest {
    Legacy() {
      super(Backend.POSTGRESQL);
    }
  }
}
