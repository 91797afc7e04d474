package dev.kiln.training.store;

import dev.kiln.govern.store.Backend;
import org.junit.jupiter.api.Nested;

/**
 * The database dataset store's tests on PostgreSQL at {@code KILN_TEST_POSTGRES_URL}: skipped when it is unset, failed
 * when it is unset under CI.
 */
class PostgresqlDatasetsTest {
  @Nested
  class Store extends JdbcDatasetStoreTest {
    Store() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Replicas extends DatasetReplicasTest {
    Replicas() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Deletion extends DatasetDeletionTest {
    Deletion() {
      super(Backend.POSTGRESQL);
    }
  }
}
