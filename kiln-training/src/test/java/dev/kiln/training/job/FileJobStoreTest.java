package dev.kiln.training.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJobStoreTest {
  static final JobRequest REQUEST =
      new JobRequest("digits", 1, new ModelSpec(null, null, null, null, null), null, null);
  static final Duration LEASE = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** Without a database (--no-database) the listing filters and pages in memory, with the same filter. */
  @Test
  void listingsFilterAndPageNewestFirstInMemory() {
    FileJobStore store = new FileJobStore(dir);
    JobRequest iris =
        new JobRequest("Iris", 1, new ModelSpec(ModelType.LOGISTIC_REGRESSION, null, null, null, null), null, null);
    for (int i = 0; i < 7; i++) {
      store.create(i % 2 == 0 ? REQUEST : iris, i % 3 == 0 ? "key-a" : "key-b");
    }
    Page<Job> page = store.list(new JobFilter(null, null, "iris", null, "key-b"), new PageRequest(1, 1));
    assertThat(store.list(new JobFilter(null, null, "IRIS", null, "key-b"), PageRequest.ALL).items())
        .extracting(Job::id)
        .containsExactly(6L, 2L);
    assertThat(page.items()).extracting(Job::id).containsExactly(2L);
    assertThat(page.total()).isEqualTo(2);
    assertThat(store.list(new JobFilter(JobState.QUEUED, "digits", "sequential", null, null), new PageRequest(2, 0)))
        .satisfies(p -> {
          assertThat(p.items()).extracting(Job::id).containsExactly(7L, 5L);
          assertThat(p.total()).isEqualTo(4);
        });
  }

  @Test
  void concurrentCreatesGetDistinctIds() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    Set<Long> ids = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int i = 0; i < 40; i++) {
      pool.execute(() -> ids.add(store.create(REQUEST).id()));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ids).hasSize(40);
    assertThat(store.list()).hasSize(40).extracting(Job::id).isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void theSubmittingKeyIsStoredWithTheJobAndKeptThroughUpdates() {
    long id = new FileJobStore(dir).create(REQUEST, "key-a").id();
    FileJobStore replica = new FileJobStore(dir); // another process sharing the data folder
    assertThat(replica.get(id).orElseThrow().createdBy()).isEqualTo("key-a");
    Job claimed = replica.claim("runner", Instant.now(), LEASE).orElseThrow();
    assertThat(claimed.owner()).isEqualTo("runner");
    assertThat(claimed.createdBy()).isEqualTo("key-a");
    assertThat(new FileJobStore(dir).get(id).orElseThrow().createdBy()).isEqualTo("key-a");
  }

  @Test
  void aTrialKnowsItsSweepThroughUpdatesAndAJobStoredBeforeReadsUnchanged() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    SweepTrial trial = new SweepTrial(3, 2, Map.of("learning_rate", JobJson.MAPPER.readTree("0.01")));
    long id = store.create(REQUEST, "key-a", trial).id();
    store.claim("runner", Instant.now(), LEASE);
    assertThat(new FileJobStore(dir).get(id).orElseThrow().sweep()).isEqualTo(trial);
    assertThat(Files.readString(dir.resolve(id + "/job.json")))
        .contains("\"sweep\":{\"id\":3,\"trial\":2,\"settings\":{\"learning_rate\":0.01}}");

    // A job.json written before jobs knew their sweep: no "sweep", read as a job of its own, written back without one.
    long plain = store.create(REQUEST, "key-a").id();
    Path file = dir.resolve(plain + "/job.json");
    String before = Files.readString(file);
    assertThat(before).doesNotContain("sweep");
    assertThat(store.get(plain).orElseThrow().sweep()).isNull();
    store.update(plain, j -> j);
    assertThat(Files.readString(file)).isEqualTo(before);
  }

  @Test
  void twoStoresOnOneDirectoryNeverClaimTheSameJob() throws Exception {
    FileJobStore a = new FileJobStore(dir);
    FileJobStore b = new FileJobStore(dir); // as a second replica would open it
    for (int i = 0; i < 20; i++) {
      a.create(REQUEST);
    }
    Set<Long> claimed = ConcurrentHashMap.newKeySet();
    List<Long> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < 4; i++) {
      FileJobStore s = i % 2 == 0 ? a : b;
      String owner = "owner-" + i;
      pool.execute(() -> {
        while (true) {
          var j = s.claim(owner, Instant.now(), LEASE);
          if (j.isEmpty()) {
            return;
          }
          if (!claimed.add(j.get().id())) {
            duplicates.add(j.get().id());
          }
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(duplicates).isEmpty();
    assertThat(claimed).hasSize(20);
  }

  @Test
  void aRunningJobIsTakenOverOnlyAfterItsLeaseExpires() {
    FileJobStore store = new FileJobStore(dir);
    long id = store.create(REQUEST).id();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(store.claim("first", t0, LEASE)).map(Job::owner).hasValue("first");
    assertThat(store.claim("second", t0.plusSeconds(9), LEASE)).isEmpty();
    store.update(id, j -> j.beat(t0.plusSeconds(9)));
    assertThat(store.claim("second", t0.plusSeconds(15), LEASE)).isEmpty();
    Job taken = store.claim("second", t0.plusSeconds(20), LEASE).orElseThrow();
    assertThat(taken.owner()).isEqualTo("second");
    assertThat(taken.started()).isEqualTo(t0); // still the job's first start
  }

  @Test
  void finishedJobsAreNeverClaimed() {
    FileJobStore store = new FileJobStore(dir);
    long id = store.create(REQUEST).id();
    store.update(id, j -> j.ended(JobState.FAILED, Instant.now(), "boom"));
    assertThat(store.claim("x", Instant.now(), LEASE)).isEmpty();
    assertThat(store.get(id)).map(Job::error).hasValue("boom");
  }

  @Test
  void unknownJobsAreEmptyNotErrors() {
    FileJobStore store = new FileJobStore(dir);
    assertThat(store.get(7)).isEmpty();
    assertThat(store.get(-1)).isEmpty();
    assertThat(store.update(7, j -> j)).isEmpty();
  }
}
