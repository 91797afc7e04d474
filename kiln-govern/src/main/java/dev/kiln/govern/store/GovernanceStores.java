package dev.kiln.govern.store;

import dev.kiln.govern.audit.AuditLog;
import dev.kiln.govern.auth.CounterStore;
import dev.kiln.govern.auth.KeyStore;
import dev.kiln.govern.auth.SessionStore;
import dev.kiln.govern.registry.RegistryStore;
import dev.kiln.govern.usage.UsageStore;
import java.nio.file.Path;
import java.util.Objects;

/** The governance stores over one database; closing it closes the database. */
public record GovernanceStores(
    Database database,
    KeyStore keys,
    SessionStore sessions,
    CounterStore counters,
    UsageStore usage,
    AuditLog audit,
    RegistryStore registry)
    implements AutoCloseable {
  /** The SQLite file's name inside the data folder. */
  public static final String SQLITE_FILE = "governance.db";

  public GovernanceStores {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(counters, "counters");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(registry, "registry");
  }

  /** The JDBC stores over {@code database}, which this record then owns. */
  public static GovernanceStores of(Database database) {
    return new GovernanceStores(
        database,
        new JdbcKeyStore(database),
        new JdbcSessionStore(database),
        new JdbcCounterStore(database),
        new JdbcUsageStore(database),
        new JdbcAuditLog(database),
        new JdbcRegistryStore(database));
  }

  /** The default: an embedded SQLite database, one file beside the data in {@code dataDir}. */
  public static GovernanceStores sqlite(Path dataDir) {
    return of(Database.sqlite(dataDir.resolve(SQLITE_FILE)));
  }

  /** A database given by JDBC URL ({@code jdbc:postgresql://...} or {@code jdbc:sqlite:...}); user may be null. */
  public static GovernanceStores open(String jdbcUrl, String user, String password) {
    return of(Database.open(jdbcUrl, user, password));
  }

  @Override
  public void close() {
    database.close();
  }
}
