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
  class Sessions extends SessionsTest {
    Sessions() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Counters extends JdbcCounterStoreTest {
    Counters() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class SharedLimits extends SharedLimitsTest {
    SharedLimits() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Usage extends JdbcUsageStoreTest {
    Usage() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Audit extends JdbcAuditLogTest {
    Audit() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Registry extends JdbcRegistryStoreTest {
    Registry() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Migrations extends DatabaseTest {
    Migrations() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class Feed extends ChangeFeedTest {
    Feed() {
      super(Backend.SQLITE);
    }
  }

  @Nested
  class History extends SchemaHistoryTest {
    History() {
      super(Backend.SQLITE);
    }
  }
}
