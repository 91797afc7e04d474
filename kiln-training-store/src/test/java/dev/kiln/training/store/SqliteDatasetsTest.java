package dev.kiln.training.store;

import dev.kiln.govern.store.Backend;
import org.junit.jupiter.api.Nested;

/** The database dataset store's tests on SQLite, the default database: always run. */
class SqliteDatasetsTest {
  @Nested
  class Store extends JdbcDatasetStoreTest {
    Store() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Replicas extends DatasetReplicasTest {
    Replicas() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Deletion extends DatasetDeletionTest {
    Deletion() {
      super(Backend.SQLITE);
    }
  }
}
