package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;

/**
 * One test's database, empty at first. {@link #open()} may be called several times: each call is another {@link
 * Database} on the same data, as a second replica or the server after a restart would open it.
 */
public final class TestDatabase implements AutoCloseable {
  static final String URL_VARIABLE = "KILN_TEST_POSTGRES_URL";

  private final String url;
  private final String user;
  private final String password;
  private final String schema;
  private final List<Database> opened = new ArrayList<>();

  private TestDatabase(String url, String user, String password, String schema) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.schema = schema;
  }

  public static TestDatabase create(Backend backend, Path tmp) {
    return switch (backend) {
      case SQLITE -> new TestDatabase("jdbc:sqlite:" + tmp.resolve("governance.db"), null, null, null);
      case POSTGRESQL -> postgres();
    };
  }

  private static TestDatabase postgres() {
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
    String user = System.getenv("KILN_TEST_POSTGRES_USER");
    String password = System.getenv("KILN_TEST_POSTGRES_PASSWORD");
    // A schema per test: as isolated as a database of its own, and much cheaper to create.
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    execute(base, user, password, "CREATE SCHEMA " + schema);
    String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new TestDatabase(url, user, password, schema);
  }

  /** Flyway on this database by itself, as an older Kiln would have run it (up to {@code target}). */
  public void migrateTo(String target) {
    Flyway.configure()
        .dataSource(url, user, password)
        .locations(Dialect.of(url).migrations())
        .target(target)
        .load()
        .migrate();
  }

  /**
   * The JDBC URL, for a test that hands the database to a server process ({@code kiln serve --database}); the user and
   * password, where the URL does not carry them, are in {@code KILN_TEST_POSTGRES_USER} and {@code _PASSWORD}.
   */
  public String url() {
    return url;
  }

  public Database open() {
    Database db = Database.open(url, user, password);
    opened.add(db);
    return db;
  }

  @Override
  public void close() {
    opened.forEach(Database::close);
    if (schema != null) {
      execute(System.getenv(URL_VARIABLE), user, password, "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private static void execute(String url, String user, String password, String sql) {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    try (Connection c = DriverManager.getConnection(url, properties);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
