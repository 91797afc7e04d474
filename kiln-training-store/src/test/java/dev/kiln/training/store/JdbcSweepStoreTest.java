package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.TestDatabase;
import dev.kiln.training.job.SweepTrial;
import dev.kiln.training.sweep.Strategy;
import dev.kiln.training.sweep.Sweep;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep store's contract, run on each database by {@link SqliteTrainingStoresTest} and its PostgreSQL twin. */
abstract class JdbcSweepStoreTest {
  private final Backend backend;
  @TempDir Path tmp;
  TestDatabase db;

  JdbcSweepStoreTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void create() {
    db = TestDatabase.create(backend, tmp);
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  static Sweep sweep(long id, String by) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Sweep(
        id, JsonNodeFactory.instance.objectNode(), Strategy.values()[0], 7, null, List.of(), now, by, null);
  }

  @Test
  void sweepsAreCreatedWithDistinctIdsReadListedAndUpdated() throws Exception {
    JdbcSweepStore a = new JdbcSweepStore(db.open());
    JdbcSweepStore b = new JdbcSweepStore(db.open());
    Set<Long> ids = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < 20; i++) {
      JdbcSweepStore store = i % 2 == 0 ? a : b;
      pool.execute(() -> ids.add(store.create(id -> sweep(id, "key-a")).id()));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();

    assertThat(ids).hasSize(20);
    assertThat(b.list()).hasSize(20).extracting(Sweep::id).isSortedAccordingTo((x, y) -> Long.compare(y, x));
    long id = ids.iterator().next();
    assertThat(b.get(id).orElseThrow().createdBy()).isEqualTo("key-a");
    Sweep renamed = a.update(id, s -> sweep(s.id(), "key-b")).orElseThrow();
    assertThat(b.get(id)).contains(renamed);
    assertThat(b.get(999)).isEmpty();
    assertThat(b.update(999, s -> s)).isEmpty();
  }

  @Test
  void buildingASweepMayQueueItsTrialsJobsAndAFailedOneLeavesNothing() {
    Database d = db.open();
    JdbcSweepStore sweeps = new JdbcSweepStore(d);
    JdbcJobStore jobs =
        new JdbcJobStore(d, ArtifactStore.open(tmp.resolve("artifacts"), ArtifactCipher.plain()), tmp.resolve("w"));
    Sweep made =
        sweeps.create(id -> {
          jobs.create(JdbcJobStoreTest.REQUEST, "key-a", new SweepTrial(id, 1, Map.of()));
          assertThat(sweeps.list()).as("a sweep being built is not listed").isEmpty();
          assertThat(sweeps.get(id)).isEmpty();
          return sweep(id, "key-a");
        });

    assertThat(jobs.list()).singleElement().satisfies(j -> assertThat(j.sweep().id()).isEqualTo(made.id()));
    assertThatThrownBy(() ->
            sweeps.create(id -> {
              throw new IllegalStateException("a trial failed its check");
            }))
        .hasMessage("a trial failed its check");
    assertThat(sweeps.list()).containsExactly(made);
  }
}
