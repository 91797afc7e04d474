package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.auth.CounterStore.Counter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run on each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}. */
abstract class JdbcCounterStoreTest {
  private static final Instant MINUTE = Instant.parse("2025-03-01T10:15:00Z");
  private static final Instant DAY = Instant.parse("2025-03-01T00:00:00Z");
  private static final Counter RPM = new Counter("rpm|ab12cd|mnist", MINUTE);
  private static final Counter RPD = new Counter("rpd|ab12cd|*", DAY);

  private final Backend backend;
  @TempDir Path tmp;
  private TestDatabase db;
  private JdbcCounterStore replicaA;
  private JdbcCounterStore replicaB;

  JdbcCounterStoreTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = TestDatabase.create(backend, tmp);
    replicaA = new JdbcCounterStore(db.open());
    replicaB = new JdbcCounterStore(db.open());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void eachReplicaLearnsTheClusterTotalWhenItAdds() {
    assertThat(replicaA.addAndGet(Map.of(RPM, 3L, RPD, 3L), null)).isEqualTo(Map.of(RPM, 3L, RPD, 3L));
    assertThat(replicaB.addAndGet(Map.of(RPM, 4L, RPD, 4L), null)).isEqualTo(Map.of(RPM, 7L, RPD, 7L));
    assertThat(replicaA.addAndGet(Map.of(RPD, 0L), null)).isEqualTo(Map.of(RPD, 7L));
  }

  @Test
  void countersOfDifferentWindowsAreSeparate() {
    Counter nextMinute = new Counter(RPM.key(), MINUTE.plusSeconds(60));
    replicaA.addAndGet(Map.of(RPM, 5L), null);

    assertThat(replicaA.addAndGet(Map.of(nextMinute, 1L), null)).isEqualTo(Map.of(nextMinute, 1L));
  }

  @Test
  void concurrentAddsFromEightThreadsOnTwoReplicasLoseNothing() throws Exception {
    int perThread = 25;
    Concurrently.run(
        8,
        thread -> {
          JdbcCounterStore store = thread % 2 == 0 ? replicaA : replicaB;
          for (int i = 0; i < perThread; i++) {
            store.addAndGet(Map.of(RPM, 1L, RPD, 2L), null);
          }
        });

    assertThat(replicaA.addAndGet(Map.of(RPM, 0L, RPD, 0L), null))
        .isEqualTo(Map.of(RPM, 8L * perThread, RPD, 16L * perThread));
  }

  @Test
  void windowsStartingBeforeTheExpiryAreDeleted() {
    Counter old = new Counter("rpm|ab12cd|mnist", MINUTE.minusSeconds(120));
    replicaA.addAndGet(Map.of(old, 9L, RPM, 1L), null);

    replicaA.addAndGet(Map.of(RPM, 1L), MINUTE);

    // The old window starts again from zero: its row was gone; the current one kept counting.
    assertThat(replicaB.addAndGet(Map.of(old, 1L, RPM, 0L), null)).isEqualTo(Map.of(old, 1L, RPM, 2L));
  }
}
