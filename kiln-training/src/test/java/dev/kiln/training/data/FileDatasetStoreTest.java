package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDatasetStoreTest {
  @TempDir Path root;
  @TempDir Path src;

  @Test
  void addsNumberedVersionsWithAManifestAndVerifiedChecksum() {
    FileDatasetStore store = new FileDatasetStore(root);
    Path digits = SampleData.digitsCsv(src);
    DatasetManifest v1 = store.add("digits", digits, DatasetOptions.csv("digit"));
    DatasetManifest v2 = store.add("digits", digits, DatasetOptions.csv("digit"));
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v1.rows()).isEqualTo(1797);
    assertThat(v1.columns()).hasSize(64).startsWith("p0");
    assertThat(v1.classes()).hasSize(10);
    assertThat(v1.format()).isEqualTo(DatasetFormat.CSV);
    assertThat(v1.sha256()).hasSize(64).isEqualTo(v2.sha256());
    assertThat(root.resolve("datasets/digits/1/dataset.json")).exists();
    StoredDataset latest = store.latest("digits").orElseThrow();
    assertThat(latest.manifest()).isEqualTo(v2);
    assertThat(latest.data().getFileName().toString()).isEqualTo("data.csv.gz");
    assertThat(store.list()).extracting(DatasetManifest::version).containsExactly(1, 2);
  }

  @Test
  void theUploadingKeyIsStoredInTheManifest() {
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    assertThat(new FileDatasetStore(root).add("lin", f, DatasetOptions.csv("y"), "key-a").createdBy())
        .isEqualTo("key-a");
    FileDatasetStore replica = new FileDatasetStore(root);
    assertThat(replica.get("lin", 1).orElseThrow().manifest().createdBy()).isEqualTo("key-a");
    assertThat(replica.list()).extracting(DatasetManifest::createdBy).containsExactly("key-a");
  }

  @Test
  void storedDatasetPreparesWithItsLineage() {
    FileDatasetStore store = new FileDatasetStore(root);
    store.add("lin", SampleData.linear(src.resolve("lin.csv"), 50, 3), DatasetOptions.csv("y"));
    StoredDataset s = store.get("lin", 1).orElseThrow();
    PreparedData d = DatasetPreparer.prepare(s, PrepareOptions.defaults());
    assertThat(d.source()).isEqualTo(new DatasetRef("lin", 1, s.manifest().sha256()));
    assertThat(d.task().classification()).isFalse();
  }

  @Test
  void deletedVersionNumbersAreNeverReused() {
    FileDatasetStore store = new FileDatasetStore(root);
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    store.add("lin", f, DatasetOptions.csv("y"));
    store.add("lin", f, DatasetOptions.csv("y"));
    assertThat(store.delete("lin", 2)).isTrue();
    assertThat(store.delete("lin", 2)).isFalse();
    assertThat(store.get("lin", 2)).isEmpty();
    assertThat(store.add("lin", f, DatasetOptions.csv("y")).version()).isEqualTo(3);
  }

  @Test
  void tamperedDataFailsItsChecksum() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root);
    store.add("lin", SampleData.linear(src.resolve("lin.csv"), 20, 3), DatasetOptions.csv("y"));
    Files.writeString(root.resolve("datasets/lin/1/data.csv"), "x,y\n1,100\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> store.get("lin", 1))
        .isInstanceOf(DatasetException.class)
        .hasMessage("dataset lin version 1: stored data does not match its checksum (changed or corrupted)");
  }

  @Test
  void badNamesAreRefusedBeforeTouchingTheDisk() {
    FileDatasetStore store = new FileDatasetStore(root);
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    for (String name : List.of("", "../x", "a/b", ".hidden", "a..b", "x".repeat(65), "%2e%2e", "a b", "..")) {
      assertThatThrownBy(() -> store.add(name, f, DatasetOptions.csv("y")))
          .as(name)
          .isInstanceOf(DatasetException.class)
          .hasMessageStartingWith("dataset name:");
    }
    assertThat(store.list()).isEmpty();
  }

  @Test
  void invalidDatasetLeavesNoVersionBehind() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root);
    Path bad = Files.writeString(src.resolve("bad.csv"), "a,y\n1,2\n3\n");
    assertThatThrownBy(() -> store.add("bad", bad, DatasetOptions.csv("y")))
        .hasMessage("data.csv: row 2 (line 3) has 1 fields (expected: 2)");
    assertThat(store.list()).isEmpty();
    try (var staging = Files.list(root.resolve("datasets/.staging"))) {
      assertThat(staging).isEmpty();
    }
  }

  @Test
  void concurrentAddsOfOneNameGetDistinctVersions() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root);
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<DatasetManifest>> adds = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        adds.add(pool.submit(() -> store.add("lin", f, DatasetOptions.csv("y"))));
      }
      List<Integer> versions = new java.util.ArrayList<>();
      for (Future<DatasetManifest> a : adds) {
        versions.add(a.get().version());
      }
      assertThat(versions).doesNotHaveDuplicates().hasSize(16).allMatch(v -> v >= 1 && v <= 16);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void imageFolderIsCopiedAsATreeAndStreamsAreStoredAsCsv() {
    FileDatasetStore store = new FileDatasetStore(root);
    DatasetManifest m = store.add("bars", SampleData.bars(src.resolve("bars"), 3, 1), DatasetOptions.detect());
    assertThat(m.format()).isEqualTo(DatasetFormat.IMAGE_FOLDER);
    assertThat(m.classes()).containsExactly("horizontal", "vertical");
    assertThat(m.options().channels()).isEqualTo(1);
    assertThat(root.resolve("datasets/bars/1/data/vertical/002.png")).exists();
    DatasetManifest s =
        store.add(
            "csv",
            new ByteArrayInputStream("a,b\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8)),
            DatasetOptions.csv("b"));
    assertThat(s.rows()).isEqualTo(2);
    assertThat(store.get("csv", 1).orElseThrow().data().getFileName().toString()).isEqualTo("data.csv");
  }

  @Test
  void theManifestSaysWhichTaskWasDetectedAndAGivenTaskWins() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root);
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i).append(',').append(i % 4).append('\n'); // a regression target with 4 distinct values
    }
    byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
    var json = dev.kiln.training.job.JobJson.MAPPER;
    DatasetManifest detected = store.add("few", new ByteArrayInputStream(bytes), DatasetOptions.csv("y"));
    assertThat(json.valueToTree(detected).path("task").asText()).isEqualTo("CLASSIFICATION");
    DatasetManifest given =
        store.add("few", new ByteArrayInputStream(bytes), DatasetOptions.csv("y").withTask(Task.Type.REGRESSION));
    assertThat(json.valueToTree(given).path("task").asText()).isEqualTo("REGRESSION");
    assertThat(given.classes()).isEmpty();
    assertThat(json.valueToTree(store.get("few", 2).orElseThrow().manifest()).path("task").asText())
        .isEqualTo("REGRESSION");
  }

  @Test
  void oversizedStreamIsRefused() {
    FileDatasetStore store = new FileDatasetStore(root);
    byte[] big = "a,b\n1,x\n2,y\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() ->
            store.add(
                "big",
                new ByteArrayInputStream(big),
                DatasetOptions.csv("b").withLimits(new ReadLimits(1000, 10, 100))))
        .hasMessage("upload larger than the limit of 100 bytes");
  }

  @Test
  void symbolicLinksInAFolderAreRefused() throws Exception {
    FileDatasetStore store = new FileDatasetStore(root);
    Path bars = SampleData.bars(src.resolve("bars"), 2, 1);
    Path secret = Files.writeString(src.resolve("secret.txt"), "x");
    Files.createSymbolicLink(bars.resolve("vertical/leak.png"), secret);
    assertThatThrownBy(() -> store.add("bars", bars, DatasetOptions.detect()))
        .hasMessage("leak.png: symbolic links are not allowed in a dataset");
  }
}
