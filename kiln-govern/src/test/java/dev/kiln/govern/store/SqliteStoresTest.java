package dev.kiln.govern.store;

import org.junit.jupiter.api.Nested;

/** Every store test on SQLite, the default database: always runs. */
class SqliteStoresTest {
  @Nested
  class Keys extends JdbcKeyStoreTest {
    Keys() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Counters extends JdbcCounterStoreTest {
    Counters() {
      super(Backend.SQLITE);
    }
  }
}
