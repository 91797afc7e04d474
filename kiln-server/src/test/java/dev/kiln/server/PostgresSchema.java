package dev.kiln.server;

import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh schema in the PostgreSQL at {@code KILN_TEST_POSTGRES_URL} for one server test, dropped by {@link #close()}:
 * as isolated as a database of its own and much cheaper. Skipped when the variable is unset, failed when it is unset
 * under CI ({@code CI=true}); {@code .ci/postgres.sh} starts a throwaway cluster and prints it. (The governance store's
 * own tests do the same in kiln-govern's {@code TestDatabase}.)
 */
final class PostgresSchema implements AutoCloseable {
  static final String URL_VARIABLE = "KILN_TEST_POSTGRES_URL";

  private final String base;
  private final String name;
  final String user = System.getenv("KILN_TEST_POSTGRES_USER");
  final String password = System.getenv("KILN_TEST_POSTGRES_PASSWORD");

  private PostgresSchema(String base) {
    this.base = base;
    this.name = "s_" + UUID.randomUUID().toString().replace("-", "");
    execute("CREATE SCHEMA " + name);
  }

  static PostgresSchema create() {
    String base = System.getenv(URL_VARIABLE);
    if (base == null || base.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        fail(URL_VARIABLE + " is not set under CI: .ci/run starts PostgreSQL and sets it");
      }
      Assumptions.abort(
          "PostgreSQL variant skipped: "
              + URL_VARIABLE
              + " is not set"
              + " (eval \"$(.ci/postgres.sh start /tmp/kiln-pg)\" starts a throwaway cluster and prints it)");
    }
    return new PostgresSchema(base);
  }

  /** The JDBC URL of this schema. */
  String url() {
    return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name;
  }

  /** The server's governance settings with this schema as the database. */
  GovernanceConfig apply(GovernanceConfig g) {
    return g.withDatabase(
        new GovernanceConfig.Database(url(), Optional.ofNullable(user), Optional.ofNullable(password)));
  }

  /**
   * Takes the schema away (renamed) until the returned handle is closed: to a server on it the database is gone, every
   * statement fails as it would with the database down, while the other tests sharing this PostgreSQL go on.
   */
  AutoCloseable outage() {
    execute("ALTER SCHEMA " + name + " RENAME TO " + name + "_out");
    return () -> execute("ALTER SCHEMA " + name + "_out RENAME TO " + name);
  }

  @Override
  public void close() {
    execute("DROP SCHEMA " + name + " CASCADE");
  }

  private void execute(String sql) {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    try (Connection c = DriverManager.getConnection(base, properties);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
