package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.GovernanceStores;
import dev.kiln.govern.store.StoreException;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.data.SampleData;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several replicas, each with its own data folder, on one database and one artifact store. */
abstract class DatasetReplicasTest extends DatasetStoreFixture {
  DatasetReplicasTest(Backend backend) {
    super(backend);
  }

  @Test
  void replicasWithDifferentDataFoldersSeeEachOthersDatasets() {
    JdbcDatasetStore a = replica("a");
    JdbcDatasetStore b = replica("b");
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    DatasetManifest v1 = a.add("lin", f, DatasetOptions.csv("y"), "key-a");
    a.add("lin", f, DatasetOptions.csv("y"), "key-a");

    assertThat(b.list()).extracting(DatasetManifest::version).containsExactly(1, 2);
    assertThat(b.get("lin", 1).orElseThrow().manifest()).isEqualTo(v1);
    assertThat(b.delete("lin", 2)).isTrue();
    assertThat(a.get("lin", 2)).isEmpty();
    assertThat(b.add("lin", f, DatasetOptions.csv("y"), "key-b").version()).isEqualTo(3);
    assertThat(a.latest("lin").orElseThrow().manifest().createdBy()).isEqualTo("key-b");
    assertThat(a.list()).isEqualTo(b.list());
  }

  @Test
  void concurrentAddsOfOneNameFromTwoStoresGetDistinctVersions() throws Exception {
    List<JdbcDatasetStore> stores = List.of(replica("a"), replica("b"));
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<DatasetManifest>> adds = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        JdbcDatasetStore store = stores.get(i % 2);
        adds.add(
            pool.submit(() -> {
              start.await();
              return store.add("lin", f, DatasetOptions.csv("y"));
            }));
      }
      start.countDown();
      List<Integer> versions = new ArrayList<>();
      for (Future<DatasetManifest> add : adds) {
        versions.add(add.get(2, TimeUnit.MINUTES).version());
      }
      assertThat(versions).doesNotHaveDuplicates().hasSize(16).allMatch(v -> v >= 1 && v <= 16);
    } finally {
      pool.shutdownNow();
    }
    assertThat(replica("c").list()).hasSize(16);
    assertThat(artifacts.keys()).hasSize(16);
  }

  @Test
  void aFailedInsertLeavesNeitherRowNorArtifact() throws Exception {
    Database lost = db.open();
    JdbcDatasetStore store = replica(lost, "a");
    lost.close(); // the database goes away between the artifact's put and the row's insert
    assertThatThrownBy(
            () -> store.add("lin", new ByteArrayInputStream("x,y\n1,2\n3,4\n".getBytes()), DatasetOptions.csv("y")))
        .isInstanceOf(StoreException.class);
    assertThat(artifacts.keys()).isEmpty();
    assertThat(staging("a")).isEmpty();
    assertThat(replica("b").list()).isEmpty();
  }

  @Test
  void theRegistrysCleanUpKeepsDatasetArtifactsAndStillRemovesOrphans() throws Exception {
    Database database = db.open();
    JdbcDatasetStore store = replica(database, "a");
    store.add("lin", SampleData.linear(src.resolve("lin.csv"), 20, 3), DatasetOptions.csv("y"));
    String dataset = artifacts.keys().get(0);
    String orphan = artifacts.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10).key();
    FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    Files.setLastModifiedTime(artifactFile(dataset), hourAgo);
    Files.setLastModifiedTime(artifactFile(orphan), hourAgo);
    GovernanceStores stores = GovernanceStores.of(database);
    Clock clock = Clock.systemUTC();
    ModelRegistry registry =
        new ModelRegistry(stores.registry(), artifacts, new Auditor(stores.audit(), clock), clock, 1 << 20);

    assertThat(registry.cleanUp(Duration.ofMinutes(10))).isEqualTo(1);

    assertThat(artifacts.keys()).containsExactly(dataset);
    assertThat(replica("b").get("lin", 1)).isPresent();
  }

  @Test
  void datasetsInTheFileLayoutAreImportedOnceAndLeftInPlace() throws Exception {
    Path data = tmp.resolve("a");
    FileDatasetStore files = new FileDatasetStore(data);
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    files.add("lin", f, DatasetOptions.csv("y"), "key-a");
    files.add("lin", f, DatasetOptions.csv("y"), "key-a");
    files.add("lin", f, DatasetOptions.csv("y"), "key-a");
    files.delete("lin", 3); // its number was handed out: the database must not hand it out again
    files.add("bars", SampleData.bars(src.resolve("bars"), 2, 1), DatasetOptions.detect(), "key-b");
    List<DatasetManifest> before = files.list();

    JdbcDatasetStore a = replica("a");
    assertThat(a.importLegacy(data)).isEqualTo(3);
    assertThat(a.importLegacy(data)).isZero();
    assertThat(replica("c").importLegacy(data)).isZero();

    JdbcDatasetStore b = replica("b");
    assertThat(b.list()).isEqualTo(before);
    assertThat(b.get("bars", 1).orElseThrow().data().resolve("vertical/001.png")).exists();
    assertThat(b.get("lin", 2).orElseThrow().manifest().createdBy()).isEqualTo("key-a");
    assertThat(b.add("lin", f, DatasetOptions.csv("y")).version()).isEqualTo(4);
    assertThat(files.list()).isEqualTo(before); // left in place
    assertThat(artifacts.keys()).hasSize(4);
  }

  @Test
  void replicasSharingALegacyFolderImportEachVersionOnceWhenTheyStartTogether() throws Exception {
    Path data = tmp.resolve("shared");
    FileDatasetStore files = new FileDatasetStore(data);
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    for (int i = 0; i < 4; i++) {
      files.add("lin", f, DatasetOptions.csv("y"), "key-a");
    }
    List<JdbcDatasetStore> replicas = List.of(replica("shared"), replica("shared"), replica("shared"));
    ExecutorService pool = Executors.newFixedThreadPool(replicas.size());
    int imported = 0;
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> runs = new ArrayList<>();
      for (JdbcDatasetStore r : replicas) {
        runs.add(
            pool.submit(() -> {
              start.await();
              return r.importLegacy(data);
            }));
      }
      start.countDown();
      for (Future<Integer> run : runs) {
        imported += run.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(imported).isEqualTo(4);
    assertThat(replica("b").list()).isEqualTo(files.list());
    assertThat(artifacts.keys()).hasSize(4); // a loser's artifact is deleted
  }
}
