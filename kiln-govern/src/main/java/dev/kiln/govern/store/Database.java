package dev.kiln.govern.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The governance database: a connection pool over SQLite or PostgreSQL whose schema Flyway brings up to date at open
 * (safe when several replicas open it at once: Flyway locks its history table). A schema already at the packaged
 * version is left alone without starting Flyway ({@link SchemaHistory}).
 *
 * <p>SQLite allows one writer at a time. Every SQLite transaction here begins {@code IMMEDIATE}, taking the write lock
 * up front, so concurrent writers (threads, or a second process on the same file) queue on the busy timeout instead of
 * failing mid-transaction when a read lock cannot be upgraded. WAL mode lets reads go on meanwhile, so a small pool
 * still pays off. PostgreSQL transactions that lose a deadlock or serialization race are run again.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Database.class.getName());

  private static final int SQLITE_POOL = 4;
  private static final int POSTGRES_POOL = 10;
  private static final int BUSY_TIMEOUT_MILLIS = 30_000;
  private static final int ATTEMPTS = 5;
  private static final int CONNECT_TIMEOUT_SECONDS = 5;

  private final Dialect dialect;
  private final HikariDataSource pool;
  // Marks this process's rows in the change feed, so it does not act twice on what it did itself.
  private final String origin = UUID.randomUUID().toString();

  private Database(Dialect dialect, HikariDataSource pool) {
    this.dialect = dialect;
    this.pool = pool;
  }

  /** Opens the SQLite file {@code file} (creating it and its folder) and migrates it. */
  public static Database sqlite(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new StoreException("cannot create the database's folder " + parent + " (" + e + "): check --data", null);
    }
    return open("jdbc:sqlite:" + file.toAbsolutePath(), null, null);
  }

  /**
   * Opens {@code jdbcUrl} ({@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://...}) and migrates it.
   *
   * @param user null to take it from the URL (or none, for SQLite)
   * @param password null to take it from the URL
   */
  public static Database open(String jdbcUrl, String user, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Dialect dialect = Dialect.of(jdbcUrl);
    HikariConfig config = new HikariConfig();
    config.setPoolName("kiln-govern");
    if (dialect == Dialect.SQLITE) {
      config.setDataSource(sqliteSource(jdbcUrl));
      config.setMaximumPoolSize(SQLITE_POOL);
    } else {
      config.setJdbcUrl(jdbcUrl);
      config.setUsername(user);
      config.setPassword(password);
      config.setMaximumPoolSize(POSTGRES_POOL);
      // A wrong host fails the start in seconds, not after the driver's 10 s (or a firewall's minutes); a
      // connectTimeout in the URL wins over this default.
      config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    }
    config.setMinimumIdle(1);
    HikariDataSource pool = connect(config, jdbcUrl);
    try {
      migrate(dialect, pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new Database(dialect, pool);
  }

  /** The pool, connected once; a database that cannot be reached fails here with one line naming it. */
  private static HikariDataSource connect(HikariConfig config, String jdbcUrl) {
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      // Hikari's message carries the driver's ("Connection to db:5432 refused. Check that the hostname ...").
      String why = String.valueOf(e.getMessage()).replaceFirst("^Failed to initialize pool: ", "");
      // The URL without its parameters, which may hold a password.
      String where = jdbcUrl.replaceFirst("\\?.*", "");
      throw new StoreException(
          "cannot open the database "
              + where
              + ": "
              + why
              + " (check --database, --database-user and"
              + " KILN_DATABASE_PASSWORD)",
          null); // the line says it all; the driver's stack would only bury it
    }
  }

  private static DataSource sqliteSource(String jdbcUrl) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // NORMAL is durable across a process crash in WAL mode; only a power loss may drop the last commits.
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.enforceForeignKeys(true);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl(jdbcUrl);
    return source;
  }

  private static void migrate(Dialect dialect, DataSource source) {
    try (Connection c = source.getConnection()) {
      SchemaHistory.State state = SchemaHistory.read(dialect, c);
      if (state == SchemaHistory.State.NEWER) {
        LOG.warning(
            "the database schema was migrated by a newer Kiln; starting on it as it is (a rolling upgrade or a"
                + " rollback)");
      }
      if (state != SchemaHistory.State.MIGRATE) {
        return; // a restart on an up-to-date schema: Flyway would only validate, at 0.1-0.6 s
      }
    } catch (SQLException e) {
      throw new StoreException("cannot connect to the database", e);
    }
    try {
      Flyway.configure()
          .dataSource(source)
          .locations(dialect.migrations())
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayValidateException e) {
      // Flyway's message is a paragraph; kiln serve shows one line (the lines that say what differs).
      List<String> what = e.getMessage().lines().skip(1).takeWhile(l -> !l.startsWith("Either")).toList();
      throw new StoreException(
          "the database's schema history does not match this Kiln's migrations: "
              + String.join("; ", what)
              + " (a migration edited after it was applied: restore the database or run the Kiln that applied it)",
          null);
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  /** This opening of the database, as the change feed records who made a change. */
  String origin() {
    return origin;
  }

  /** A connection of the pool for the caller to hold (the change feed's LISTEN); the caller closes it. */
  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. On PostgreSQL a
   * transaction that lost a deadlock is run again, so {@code work} must not have effects outside the database.
   */
  public <T> T transaction(Sql<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection()) {
        return inTransaction(c, work);
      } catch (SQLException e) {
        if (attempt >= ATTEMPTS || !dialect.retryable(e)) {
          throw new StoreException("database transaction failed", e);
        }
      }
    }
  }

  private static <T> T inTransaction(Connection c, Sql<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      // Back to autocommit at once: the SQLite driver would otherwise hold a fresh IMMEDIATE transaction open.
      c.setAutoCommit(true);
    }
  }

  /** Runs {@code work} outside a transaction (each statement commits alone): for reads, which never wait. */
  public <T> T read(Sql<T> work) {
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreException("database read failed", e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
