package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.TestDatabase;
import dev.kiln.training.job.FileJobStore;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobState;
import dev.kiln.training.sweep.FileSweepStore;
import dev.kiln.training.sweep.Sweep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs and sweeps an earlier Kiln kept as files come into the database once, under their ids, with their files in the
 * artifact store, however many replicas start at once; new ids go on after them. Run on each database by {@link
 * SqliteTrainingStoresTest} and its PostgreSQL twin.
 */
abstract class LegacyJobsTest {
  private final Backend backend;
  @TempDir Path tmp;
  TestDatabase db;
  ArtifactStore artifacts;
  Path data;

  LegacyJobsTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void create() {
    db = TestDatabase.create(backend, tmp);
    artifacts = ArtifactStore.open(tmp.resolve("artifacts"), ArtifactCipher.plain());
    data = tmp.resolve("data");
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  JdbcJobStore replica(String name) {
    return new JdbcJobStore(db.open(), artifacts, tmp.resolve("work-" + name));
  }

  @Test
  void jobsSweepsAndJobFilesAreImportedOnceUnderTheirIdsByReplicasStartingAtOnce() throws Exception {
    // The old layout, written by the old stores: job 1 was running when the old Kiln stopped, with a checkpoint and
    // its splits; job 2 holds an exported model; job 3 is queued. One sweep.
    FileJobStore old = new FileJobStore(data.resolve("jobs"));
    List<Job> jobs = IntStream.range(0, 3).mapToObj(i -> old.create(JdbcJobStoreTest.REQUEST, "key-" + i)).toList();
    Job running = old.claim("old-kiln", Instant.now().minus(Duration.ofHours(1)), Duration.ofSeconds(15)).orElseThrow();
    Path one = old.directory(1);
    Files.writeString(one.resolve("splits.json"), "{\"train\":[1,2]}");
    Files.createDirectories(one.resolve("checkpoints"));
    Files.write(one.resolve("checkpoints").resolve("weights-2.params"), new byte[] {1, 2, 3});
    Files.writeString(one.resolve("checkpoints").resolve("checkpoint.json"), "{\"epoch\":2}");
    Files.write(old.directory(2).resolve("model.onnx"), new byte[] {9, 8, 7});
    Sweep sweep = new FileSweepStore(data.resolve("sweeps")).create(id -> JdbcSweepStoreTest.sweep(id, "key-0"));

    JdbcJobStore a = replica("a");
    JdbcJobStore b = replica("b");
    CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> a.importLegacy(data));
    int second = b.importLegacy(data);
    assertThat(first.join() + second).as("each job and sweep imported once").isEqualTo(4);

    JdbcJobStore c = replica("c");
    assertThat(c.list()).extracting(Job::id).containsExactly(3L, 2L, 1L);
    assertThat(c.get(2)).contains(jobs.get(1));
    Job resumed = c.get(1).orElseThrow();
    assertThat(resumed.state()).isEqualTo(JobState.RUNNING);
    assertThat(resumed.history()).isEqualTo(running.history());
    assertThat(new JdbcSweepStore(db.open()).get(sweep.id())).contains(sweep);
    // Its files from the artifact store, on a replica that never saw the old folder.
    assertThat(Files.readAllBytes(c.file(2, "model.onnx").orElseThrow())).containsExactly(9, 8, 7);
    c.restore(1);
    assertThat(c.directory(1).resolve("checkpoints").resolve("weights-2.params"))
        .hasBinaryContent(new byte[] {1, 2, 3});
    assertThat(c.directory(1).resolve("checkpoints").resolve("checkpoint.json")).hasContent("{\"epoch\":2}");
    assertThat(c.directory(1).resolve("splits.json")).hasContent("{\"train\":[1,2]}");
    // The old job left running is taken over once a lease has passed (its files are there by then), not at once.
    assertThat(c.claim("new", Instant.now(), Duration.ofSeconds(15))).map(Job::id).contains(2L);
    assertThat(c.claim("new", Instant.now().plusSeconds(16), Duration.ofSeconds(15))).map(Job::id).contains(1L);

    // Every later start finds it all there; the files are not stored again.
    int objects = artifacts.keys().size();
    assertThat(replica("d").importLegacy(data)).isZero();
    assertThat(artifacts.keys()).hasSize(objects);
    // New ids go on after the imported ones.
    assertThat(c.create(JdbcJobStoreTest.REQUEST, "key-n").id()).isEqualTo(4);
    assertThat(new JdbcSweepStore(db.open()).create(id -> JdbcSweepStoreTest.sweep(id, "key-n")).id()).isEqualTo(2);
    assertThat(data.resolve("jobs").resolve("1").resolve("job.json")).exists(); // the old folder is left alone
  }
}
