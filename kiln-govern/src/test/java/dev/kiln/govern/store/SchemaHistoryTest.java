package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Run on each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}: when a start skips Flyway. */
abstract class SchemaHistoryTest extends OnEachBackend {
  SchemaHistoryTest(Backend backend) {
    super(backend);
  }

  @Test
  void aSchemaMigratedByFlywayIsCurrentSoTheNextStartSkipsFlyway() {
    Database first = db.open();

    // CURRENT only when every checksum computed here equals the one Flyway recorded.
    assertThat(state(first)).isEqualTo(SchemaHistory.State.CURRENT);
    db.open(); // and a second start on it opens
    assertThat(history(first)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
  }

  @Test
  void anOlderSchemaIsMigrated() {
    db.migrateTo("1"); // as the Kiln before the change feed left it

    Database opened = db.open();

    assertThat(history(opened)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(state(opened)).isEqualTo(SchemaHistory.State.CURRENT);
  }

  @Test
  void aSchemaFromANewerKilnIsStartedOnAsItIsForRollingUpgradesAndRollbacks() {
    Database first = db.open();
    first.transaction(c -> {
      try (Statement s = c.createStatement()) {
        return s.executeUpdate(
            "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) SELECT 99, '99', 'future', type, 'V99__future.sql', 7,"
                + " installed_by, execution_time, success FROM flyway_schema_history WHERE version = '1'");
      }
    });

    assertThat(state(first)).isEqualTo(SchemaHistory.State.NEWER);
    Database again = db.open(); // neither refused nor migrated backwards
    assertThat(history(again)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "99");
  }

  @Test
  void anEditedMigrationIsStillRefusedByFlyway() {
    Database first = db.open();
    first.transaction(c -> {
      try (Statement s = c.createStatement()) {
        return s.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
      }
    });

    assertThatThrownBy(db::open)
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith(
            "the database's schema history does not match this Kiln's migrations: Migration checksum mismatch for"
                + " migration version 1; -> Applied to database")
        .hasMessageNotContaining("\n");
  }

  @Test
  void thePackagedListNamesEveryMigrationFileOfEveryDialect() throws IOException {
    for (Dialect dialect : Dialect.values()) {
      Path folder = Path.of("src/main/resources").resolve(dialect.migrationFolder());
      try (Stream<Path> files = Files.list(folder)) {
        assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
            .as("a new migration must be added to SchemaHistory.PACKAGED, or a restart would skip it")
            .isEqualTo(SchemaHistory.PACKAGED);
      }
    }
  }

  private static SchemaHistory.State state(Database database) {
    return database.read(c -> SchemaHistory.read(database.dialect(), c));
  }

  private static List<String> history(Database database) {
    return database.read(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history ORDER BY installed_rank")) {
        List<String> versions = new ArrayList<>();
        while (rs.next()) {
          versions.add(rs.getString(1));
        }
        return versions;
      }
    });
  }
}
