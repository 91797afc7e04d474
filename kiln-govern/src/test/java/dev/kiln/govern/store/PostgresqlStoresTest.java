package dev.kiln.govern.store;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every store test on PostgreSQL at {@code KILN_TEST_POSTGRES_URL}: skipped when it is unset, failed when it is unset
 * under CI ({@code CI=true}). {@code .ci/postgres.sh} starts a throwaway cluster and prints the URL.
 */
class PostgresqlStoresTest {
  @Nested
  class Keys extends JdbcKeyStoreTest {
    Keys() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Sessions extends SessionsTest {
    Sessions() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Counters extends JdbcCounterStoreTest {
    Counters() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class SharedLimits extends SharedLimitsTest {
    SharedLimits() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Usage extends JdbcUsageStoreTest {
    Usage() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Audit extends JdbcAuditLogTest {
    Audit() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Registry extends JdbcRegistryStoreTest {
    Registry() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Migrations extends DatabaseTest {
    Migrations() {
      super(Backend.POSTGRESQL);
    }
  }

  @Nested
  class Feed extends ChangeFeedTest {
    Feed() {
      super(Backend.POSTGRESQL);
    }

    @Test
    void notificationConnectionDroppedThenPollingGoesOnAndListeningComesBack() throws Exception {
      whenTheNotificationConnectionDropsPollingGoesOnAndListeningComesBack();
    }
  }

  @Nested
  class History extends SchemaHistoryTest {
    History() {
      super(Backend.POSTGRESQL);
    }
  }
}
