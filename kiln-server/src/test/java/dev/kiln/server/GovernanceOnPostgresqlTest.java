package dev.kiln.server;

import org.junit.jupiter.api.Nested;

/**
 * The governance server tests again with PostgreSQL as the metadata database (a fresh schema per test, at {@code
 * KILN_TEST_POSTGRES_URL}; see {@link PostgresSchema}): keys, scopes, rate limits and their restart and crash paths,
 * the registry, training under governance and the audit log, through real servers. SQLite runs them in the parent
 * classes.
 */
class GovernanceOnPostgresqlTest {
  @Nested
  class Server extends GovernanceServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class Session extends SessionServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class ListPages extends ListPagesServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class Registry extends RegistryServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class Replicas extends ReplicasConvergeTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class SharedLimits extends SharedLimitsServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class Training extends TrainingGovernanceServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class DatasetReplicas extends DatasetReplicasServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class ReplicaProcesses extends ReplicaProcessesTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class RateLimitCrash extends RateLimitCrashTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class JobUpgrade extends JobUpgradeServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class DatasetDeletion extends DatasetDeletionApiTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }

  @Nested
  class Scoring extends ScoringServerTest {
    @Override
    boolean onPostgresql() {
      return true;
    }
  }
}
