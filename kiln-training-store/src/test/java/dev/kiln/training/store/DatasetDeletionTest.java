package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.store.Backend;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetTombstone;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.data.SampleData;
import dev.kiln.training.job.DatasetDeletion;
import dev.kiln.training.job.Deployment;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.RetentionSweep;
import dev.kiln.training.spec.ModelSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Deleting a dataset version removes its artifact and those of every job trained on it and leaves a tombstone, exactly
 * once however many deleters race; run on each database by {@link SqliteDatasetsTest} and its PostgreSQL twin.
 */
abstract class DatasetDeletionTest extends DatasetStoreFixture {
  DatasetDeletionTest(Backend backend) {
    super(backend);
  }

  private DatasetManifest add(JdbcDatasetStore store, String name, int offset) {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 20; i++) {
      csv.append(i + offset).append(',').append(2 * i + 1).append('\n');
    }
    byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
    return store.add(name, new ByteArrayInputStream(bytes), DatasetOptions.csv("y"), "key-a");
  }

  /** A job on {@code name@version} whose splits, checkpoint and model are published to the artifact store. */
  private Job trainedOn(JdbcJobStore jobs, String name, int version) throws IOException {
    Job job = jobs.create(new JobRequest(name, version, new ModelSpec(null, null, null, null, null), null, null));
    Path dir = jobs.directory(job.id());
    Files.writeString(dir.resolve("splits.json"), "{\"train\":[1,2]}");
    Files.createDirectories(dir.resolve("checkpoints"));
    Files.writeString(dir.resolve("checkpoints/weights-1.params"), "weights of " + job.id());
    Files.writeString(dir.resolve("model.onnx"), "model of " + job.id());
    for (String f : List.of("splits.json", "checkpoints", "model.onnx")) {
      jobs.publish(job.id(), f);
    }
    return job;
  }

  @Test
  void deletingAVersionRemovesItsBytesAndItsJobsFilesAndLeavesATombstone() throws IOException {
    JdbcDatasetStore store = replica("a");
    JdbcJobStore jobs = new JdbcJobStore(db.open(), artifacts, tmp.resolve("work"));
    DatasetManifest a = add(store, "a", 0);
    add(store, "b", 100);
    Set<String> before = new HashSet<>(artifacts.keys()); // a, b
    Job onA = trainedOn(jobs, "a", 1);
    Job onB = trainedOn(jobs, "b", 1);
    Set<String> ofA = new HashSet<>(artifacts.keys());
    ofA.removeAll(before);
    assertThat(ofA).hasSize(6); // three files of each job
    String datasetA = store.table().find("a", 1).orElseThrow().artifact();
    Set<String> jobB = new HashSet<>(ofA);
    jobs.update(onA.id(), j -> JobChanges.succeeded(j, List.of(new Deployment("m", "1", Instant.now()))));
    jobs.update(onB.id(), j -> JobChanges.succeeded(j, List.of()));
    DatasetDeletion deletion = new DatasetDeletion(store, jobs);

    assertThatThrownBy(() -> deletion.delete("a", 1, "key-a", "asked to", false))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("[m:1]")
        .extracting(e -> ((KilnException) e).kind())
        .isEqualTo(ErrorKind.CONFLICT);
    assertThat(artifacts.keys()).hasSize(8); // nothing deleted

    DatasetDeletion.Outcome done = deletion.delete("a", 1, "key-a", "asked to", true);
    assertThat(done.jobs()).containsExactly(onA.id());
    assertThat(done.models()).containsExactly("m:1");
    List<String> after = artifacts.keys();
    assertThat(after).hasSize(4).doesNotContain(datasetA); // b, and job B's three files
    assertThat(jobs.file(onA.id(), "model.onnx")).isEmpty();
    assertThat(jobs.file(onA.id(), "splits.json")).isEmpty();
    assertThat(jobs.file(onB.id(), "model.onnx")).isPresent();
    assertThat(store.get("b", 1)).isPresent();
    assertThat(store.get("a", 1)).isEmpty();
    assertThat(tmp.resolve("work").resolve(Long.toString(onA.id()))).doesNotExist();
    assertThat(tmp.resolve("a/cache/datasets/a")).isEmptyDirectory();
    jobB.retainAll(after);
    assertThat(jobB).hasSize(3);

    DatasetTombstone t = store.tombstone("a", 1).orElseThrow();
    assertThat(t.sha256()).isEqualTo(a.sha256());
    assertThat(t.deletedBy()).isEqualTo("key-a");
    assertThat(t.reason()).isEqualTo("asked to");
    assertThat(jobs.get(onA.id())).as("the job stays, for its lineage").isPresent();
    assertThatThrownBy(() -> deletion.delete("a", 1, "key-a", "again", true))
        .extracting(e -> ((KilnException) e).kind())
        .isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(store.tombstone("a", 1)).contains(t);
  }

  @Test
  void aDeletedVersionIsNotImportedAgainFromTheFileLayout() throws IOException {
    Path data = tmp.resolve("a");
    FileDatasetStore files = new FileDatasetStore(data);
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    files.add("lin", f, DatasetOptions.csv("y"), "key-a");
    files.add("lin", f, DatasetOptions.csv("y"), "key-a");
    JdbcDatasetStore a = replica("a");
    assertThat(a.importLegacy(data)).isEqualTo(2);
    assertThat(a.delete("lin", 1, "key-a", "gone")).isPresent();
    assertThat(data.resolve("datasets/lin/1")).as("this replica's old copy goes too").doesNotExist();
    assertThat(a.importLegacy(data)).isZero();
    // Another replica's own old folder still holds version 1: the tombstone keeps it out.
    FileDatasetStore elsewhere = new FileDatasetStore(tmp.resolve("b"));
    elsewhere.add("lin", f, DatasetOptions.csv("y"), "key-a");
    assertThat(replica("b").importLegacy(tmp.resolve("b"))).isZero();
    assertThat(a.list()).extracting(DatasetManifest::version).containsExactly(2);
  }

  @Test
  void aQueuedJobOnTheVersionRefusesItsDeletion() {
    JdbcDatasetStore store = replica("a");
    JdbcJobStore jobs = new JdbcJobStore(db.open(), artifacts, tmp.resolve("work"));
    add(store, "a", 0);
    Job queued = jobs.create(new JobRequest("a", 1, new ModelSpec(null, null, null, null, null), null, null));
    assertThatThrownBy(() -> new DatasetDeletion(store, jobs).delete("a", 1, "key-a", "why", true))
        .hasMessageContaining("[" + queued.id() + "]")
        .extracting(e -> ((KilnException) e).kind())
        .isEqualTo(ErrorKind.CONFLICT);
    assertThat(store.get("a", 1)).isPresent();
    assertThat(store.tombstone("a", 1)).isEmpty();
  }

  @Test
  void sweepersRacingOnTwoReplicasDeleteEachExpiredVersionExactlyOnce() throws Exception {
    JdbcDatasetStore first = replica("a");
    JdbcDatasetStore second = replica("b");
    int expiring = 12; // enough that the two sweeps, walking the same list, meet on the same versions
    for (int i = 0; i < expiring; i++) {
      add(first, "old", i);
    }
    add(first, "kept", 0);
    first.retain("old", Optional.of(Duration.ofDays(30)));
    assertThat(second.retention("old")).contains(Duration.ofDays(30));
    assertThat(second.retention("kept")).isEmpty();
    assertThat(first.expired(Instant.now())).isEmpty();
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(31)), ZoneOffset.UTC);
    assertThat(first.expired(later.instant())).hasSize(expiring);

    List<RetentionSweep> sweeps =
        List.of(
            new RetentionSweep(first, new JdbcJobStore(db.open(), artifacts, tmp.resolve("w1")), later),
            new RetentionSweep(second, new JdbcJobStore(db.open(), artifacts, tmp.resolve("w2")), later));
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> swept =
          sweeps.stream()
              .map(s ->
                  pool.submit(() -> {
                    go.await();
                    return s.sweep();
                  }))
              .toList();
      go.countDown();
      assertThat(swept.get(0).get() + swept.get(1).get()).isEqualTo(expiring);
    } finally {
      pool.shutdownNow();
    }
    assertThat(first.list()).extracting(DatasetManifest::name).containsExactly("kept");
    assertThat(artifacts.keys()).hasSize(1);
    for (int v = 1; v <= expiring; v++) {
      DatasetTombstone t = second.tombstone("old", v).orElseThrow();
      assertThat(t.deletedBy()).isEqualTo(DatasetTombstone.RETENTION);
      assertThat(t.reason()).isEqualTo(DatasetTombstone.RETENTION);
    }
    first.retain("old", Optional.empty());
    assertThat(second.retention("old")).isEmpty();
  }
}
