package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.auth.CounterStore.Counter;
import dev.kiln.govern.registry.VersionRecord;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Run on each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}. */
abstract class DatabaseTest extends OnEachBackend {
  private static final Instant TODAY = Instant.parse("2025-03-01T00:00:00Z");
  private static final Counter DAILY = new Counter("rpd|ab12cd|*", TODAY);

  DatabaseTest(Backend backend) {
    super(backend);
  }

  @Test
  void openingAMigratedDatabaseAgainWhileItIsOpenSucceeds() {
    GovernanceStores first = GovernanceStores.of(db.open());
    first.registry().ensureModel("mnist", "ab12cd", TODAY);

    GovernanceStores second = GovernanceStores.of(db.open());

    assertThat(second.registry().model("mnist")).isPresent();
    int migrations =
        second
            .database()
            .read(c -> {
              try (Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history")) {
                rs.next();
                return rs.getInt(1);
              }
            });
    // V1, V2 (change feed), V3 (datasets), V4 (jobs), V5 (keys), V6 (tombstones), V7 (sessions), V8 (list columns),
    // V9 (scoring jobs)
    assertThat(migrations).isEqualTo(9);
  }

  @Test
  void dailyCountersAndRegistryStateSurviveARestart() {
    Database before = db.open();
    new JdbcCounterStore(before).addAndGet(Map.of(DAILY, 41L), null);
    JdbcRegistryStore registry = new JdbcRegistryStore(before);
    registry.ensureModel("mnist", "ab12cd", TODAY);
    registry.reserveVersion("mnist", "onnx", "uploaded", "ab12cd", TODAY);
    before.close(); // the server stops (or is killed) mid-upload

    Database after = db.open();

    assertThat(new JdbcCounterStore(after).addAndGet(Map.of(DAILY, 1L), null)).isEqualTo(Map.of(DAILY, 42L));
    JdbcRegistryStore restarted = new JdbcRegistryStore(after);
    assertThat(restarted.published()).isEmpty();
    assertThat(restarted.stalePending(TODAY.plusSeconds(1))).extracting(VersionRecord::version).containsExactly(1L);
  }
}
