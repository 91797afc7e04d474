package dev.kiln.training.store;

import dev.kiln.govern.store.Backend;
import org.junit.jupiter.api.Nested;

/** Training's database stores on SQLite, the default database: always runs. */
class SqliteTrainingStoresTest {
  @Nested
  class Jobs extends JdbcJobStoreTest {
    Jobs() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class JobLists extends JdbcJobListTest {
    JobLists() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Sweeps extends JdbcSweepStoreTest {
    Sweeps() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Legacy extends LegacyJobsTest {
    Legacy() {
      super(Backend.SQLITE);
    }
  }
}
