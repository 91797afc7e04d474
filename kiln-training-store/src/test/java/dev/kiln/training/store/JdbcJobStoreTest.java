package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.TestDatabase;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.Progress;
import dev.kiln.training.job.StepLoss;
import dev.kiln.training.job.SweepTrial;
import dev.kiln.training.spec.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job store's contract, run on each database by {@link SqliteTrainingStoresTest} and its PostgreSQL twin. */
abstract class JdbcJobStoreTest {
  static final JobRequest REQUEST =
      new JobRequest("digits", 1, new ModelSpec(null, null, null, null, null), null, null);
  static final Duration LEASE = Duration.ofSeconds(10);

  private final Backend backend;
  @TempDir Path tmp;
  TestDatabase db;
  ArtifactStore artifacts;

  JdbcJobStoreTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void create() {
    db = TestDatabase.create(backend, tmp);
    artifacts = ArtifactStore.open(tmp.resolve("artifacts"), ArtifactCipher.plain());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  /** A store as a replica opens it: its own database connection and working folder, the shared artifact store. */
  JdbcJobStore replica(String name) {
    return new JdbcJobStore(db.open(), artifacts, tmp.resolve("work-" + name));
  }

  @Test
  void jobsAreCreatedReadListedNewestFirstAndUpdated() {
    JdbcJobStore store = replica("a");
    SweepTrial trial = new SweepTrial(3, 2, Map.of("epochs", IntNode.valueOf(4)));
    Job first = store.create(REQUEST, "key-a");
    Job second = store.create(REQUEST, "key-b", trial);

    JdbcJobStore other = replica("b");
    assertThat(other.get(first.id())).contains(first);
    assertThat(other.get(second.id()).orElseThrow().sweep()).isEqualTo(trial);
    assertThat(other.list()).extracting(Job::id).containsExactly(second.id(), first.id());
    assertThat(other.get(999)).isEmpty();

    Progress p = new Progress(1, 5, 10, 20, 0.5, 100, 3);
    Job updated = other.update(first.id(), j -> JobChanges.withProgress(j, p)).orElseThrow();
    assertThat(store.get(first.id())).contains(updated);
    assertThat(updated.progress()).isEqualTo(p);
    assertThat(updated.createdBy()).isEqualTo("key-a");
    assertThat(store.update(999, j -> j)).isEmpty();
    // The step losses travel in the row's JSON body like the rest of the job.
    List<StepLoss> steps = List.of(new StepLoss(1, 1, 0.9), new StepLoss(2, 1, 0.7));
    other.update(first.id(), j -> JobChanges.withSteps(j, steps));
    assertThat(store.get(first.id()).orElseThrow().steps()).isEqualTo(steps);
  }

  @Test
  void replicasClaimingAtOnceTakeEachJobExactlyOnce() throws Exception {
    List<JdbcJobStore> stores = List.of(replica("a"), replica("b"));
    int jobs = 40;
    for (int i = 0; i < jobs; i++) {
      stores.get(0).create(REQUEST, "key-a");
    }
    List<Long> claimed = Collections.synchronizedList(new ArrayList<>());
    int threads = 8; // four per replica
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      JdbcJobStore store = stores.get(t % 2);
      String owner = "runner-" + t;
      runs.add(
          pool.submit(() -> {
            start.await();
            // Claims until nothing is left; a claim that lost a race returns empty, so look until all are taken.
            while (stores.get(0).list().stream().anyMatch(j -> j.state() == JobState.QUEUED)) {
              store.claim(owner, Instant.now(), LEASE).ifPresent(j -> claimed.add(j.id()));
            }
            return null;
          }));
    }
    start.countDown();
    for (Future<?> f : runs) {
      f.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();

    assertThat(claimed).hasSize(jobs).doesNotHaveDuplicates();
    assertThat(stores.get(1).list())
        .allSatisfy(j -> {
          assertThat(j.state()).isEqualTo(JobState.RUNNING);
          assertThat(j.owner()).startsWith("runner-");
        });
  }

  @Test
  void aJobWhoseLeaseExpiredIsClaimedAgainByAnotherRunner() {
    JdbcJobStore a = replica("a");
    JdbcJobStore b = replica("b");
    long id = a.create(REQUEST, "key-a").id();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    assertThat(a.claim("runner-a", t0, LEASE)).isPresent();

    assertThat(b.claim("runner-b", t0.plusSeconds(9), LEASE)).as("the lease still holds").isEmpty();
    Job taken = b.claim("runner-b", t0.plusSeconds(11), LEASE).orElseThrow();

    assertThat(taken.id()).isEqualTo(id);
    assertThat(taken.owner()).isEqualTo("runner-b");
    assertThat(taken.heartbeat()).isEqualTo(t0.plusSeconds(11));
    assertThat(taken.started()).as("when it first started").isEqualTo(t0);
    assertThat(a.claim("runner-a", t0.plusSeconds(12), LEASE)).isEmpty();
  }

  @Test
  void aCancelRequestSurvivesProgressUpdatesMadeAtTheSameTime() throws Exception {
    JdbcJobStore runner = replica("a");
    JdbcJobStore api = replica("b");
    long id = runner.create(REQUEST, "key-a").id();
    runner.claim("runner-a", Instant.now(), LEASE);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    Future<?> progress =
        pool.submit(() -> {
          start.await();
          for (int step = 1; step <= 100; step++) {
            Progress p = new Progress(1, 1, step, 100, 0.1, 10, 1);
            runner.update(id, j -> JobChanges.withProgress(j, p));
          }
          return null;
        });
    Future<?> cancel =
        pool.submit(() -> {
          start.await();
          Thread.sleep(5);
          api.update(id, JobChanges::cancelRequested);
          return null;
        });
    start.countDown();
    progress.get(1, TimeUnit.MINUTES);
    cancel.get(1, TimeUnit.MINUTES);
    pool.shutdown();

    Job job = api.get(id).orElseThrow();
    assertThat(job.cancelRequested()).isTrue();
    assertThat(job.progress().step()).isEqualTo(100);
  }

  @Test
  void aFilePublishedByOneReplicaIsFetchedAndRestoredByAnother() throws Exception {
    JdbcJobStore a = replica("a");
    JdbcJobStore b = replica("b");
    long id = a.create(REQUEST, "key-a").id();
    Path checkpoints = Files.createDirectories(a.directory(id).resolve("checkpoints"));
    Files.writeString(checkpoints.resolve("weights-1.params"), "one");
    Files.writeString(checkpoints.resolve("checkpoint.json"), "{\"epoch\":1}");
    a.publish(id, "checkpoints");
    Files.writeString(checkpoints.resolve("weights-2.params"), "two");
    Files.delete(checkpoints.resolve("weights-1.params"));
    Files.writeString(checkpoints.resolve("checkpoint.json"), "{\"epoch\":2}");
    a.publish(id, "checkpoints");
    Files.writeString(a.directory(id).resolve("model.onnx"), "model");
    a.publish(id, "model.onnx");

    assertThat(b.directory(id)).isNotEqualTo(a.directory(id));
    assertThat(b.file(id, "model.onnx")).hasValueSatisfying(f -> assertThat(f).hasContent("model"));
    Files.writeString(a.directory(id).resolve("model.onnx"), "written, not yet published");
    assertThat(a.file(id, "model.onnx")).hasValueSatisfying(f -> assertThat(f).hasContent("model"));
    assertThat(a.directory(id).resolve("model.onnx")).hasContent("written, not yet published");
    assertThat(b.file(id, "splits.json")).isEmpty();
    b.restore(id);
    Path restored = b.directory(id).resolve("checkpoints");
    assertThat(restored.resolve("checkpoint.json")).hasContent("{\"epoch\":2}");
    assertThat(restored.resolve("weights-2.params")).hasContent("two");
    assertThat(restored.resolve("weights-1.params")).doesNotExist();
    Database shared = db.open();
    int rows =
        shared.read(c -> {
          try (var s = c.createStatement();
              var rs = s.executeQuery("SELECT count(*) FROM job_files")) {
            rs.next();
            return rs.getInt(1);
          }
        });
    assertThat(rows).as("checkpoint.json, weights-2, model.onnx: the replaced and removed ones are gone").isEqualTo(3);
    assertThat(artifacts.keys()).hasSize(3);
    b.close();
    assertThat(tmp.resolve("work-b")).as("a closed store's working folder").doesNotExist();
    assertThat(a.file(id, "checkpoints/weights-2.params")).as("what it fetched stays published").isPresent();
  }
}
