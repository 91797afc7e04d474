package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.govern.store.Backend;
import dev.kiln.training.data.DatasetException;
import dev.kiln.training.data.DatasetFormat;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetPreparer;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.ReadLimits;
import dev.kiln.training.data.SampleData;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** What {@code FileDatasetStoreTest} proves of the file store, proved of the database store. */
abstract class JdbcDatasetStoreTest extends DatasetStoreFixture {
  JdbcDatasetStoreTest(Backend backend) {
    super(backend);
  }

  @Test
  void addsNumberedVersionsWithAManifestAndVerifiedChecksum() {
    JdbcDatasetStore store = replica("a");
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
    StoredDataset latest = store.latest("digits").orElseThrow();
    assertThat(latest.manifest()).isEqualTo(v2);
    assertThat(latest.data().getFileName().toString()).isEqualTo("data.csv.gz");
    assertThat(latest.data()).startsWith(tmp.resolve("a/cache/datasets/digits"));
    assertThat(store.list()).extracting(DatasetManifest::version).containsExactly(1, 2);
    assertThat(artifacts.keys()).hasSize(2); // one artifact per version
    assertThat(tmp.resolve("a/datasets")).doesNotExist(); // nothing in the file layout
  }

  @Test
  void theCacheAndScratchFoldersAreTheOwnersOnly() throws Exception {
    JdbcDatasetStore store = replica("a");
    store.add("lin", SampleData.linear(src.resolve("lin.csv"), 20, 3), DatasetOptions.csv("y"));
    Set<PosixFilePermission> ownerOnly =
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    for (String dir : List.of("cache", "cache/datasets", "cache/datasets/.staging", "cache/datasets/lin")) {
      assertThat(Files.getPosixFilePermissions(tmp.resolve("a").resolve(dir))).as(dir).isEqualTo(ownerOnly);
    }
    assertThat(staging("a")).isEmpty();
  }

  @Test
  void aStartRemovesScratchFoldersACrashLeftADayAgoAndNoYoungerOnes() throws Exception {
    replica("a");
    Path old = Files.createDirectories(tmp.resolve("a/cache/datasets/.staging/old/datasets"));
    Path young = Files.createDirectories(tmp.resolve("a/cache/datasets/.staging/young"));
    Files.setLastModifiedTime(old.getParent(), FileTime.from(Instant.now().minus(Duration.ofHours(25))));
    replica("a");
    assertThat(staging("a")).containsExactly(young);
  }

  @Test
  void theUploadingKeyIsStoredInTheManifest() {
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    assertThat(replica("a").add("lin", f, DatasetOptions.csv("y"), "key-a").createdBy()).isEqualTo("key-a");
    JdbcDatasetStore other = replica("b");
    assertThat(other.get("lin", 1).orElseThrow().manifest().createdBy()).isEqualTo("key-a");
    assertThat(other.list()).extracting(DatasetManifest::createdBy).containsExactly("key-a");
  }

  @Test
  void storedDatasetPreparesWithItsLineageOnAReplicaThatNeverSawTheUpload() {
    replica("a").add("lin", SampleData.linear(src.resolve("lin.csv"), 50, 3), DatasetOptions.csv("y"));
    StoredDataset s = replica("b").get("lin", 1).orElseThrow();
    assertThat(s.data()).startsWith(tmp.resolve("b/cache/datasets/lin"));
    PreparedData d = DatasetPreparer.prepare(s, PrepareOptions.defaults());
    assertThat(d.source()).isEqualTo(new DatasetRef("lin", 1, s.manifest().sha256()));
    assertThat(d.task().classification()).isFalse();
  }

  @Test
  void deletedVersionNumbersAreNeverReusedAndTheArtifactGoes() {
    JdbcDatasetStore store = replica("a");
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    store.add("lin", f, DatasetOptions.csv("y"));
    store.add("lin", f, DatasetOptions.csv("y"));
    assertThat(artifacts.keys()).hasSize(2);
    assertThat(store.delete("lin", 2)).isTrue();
    assertThat(store.delete("lin", 2)).isFalse();
    assertThat(store.get("lin", 2)).isEmpty();
    assertThat(artifacts.keys()).hasSize(1);
    assertThat(store.delete("lin", 1)).isTrue(); // every version gone: the counter still remembers 2
    assertThat(store.latest("lin")).isEmpty();
    assertThat(store.add("lin", f, DatasetOptions.csv("y")).version()).isEqualTo(3);
  }

  @Test
  void aTamperedArtifactFailsItsChecksumOnAReplicaThatMustFetchIt() throws Exception {
    replica("a").add("lin", SampleData.linear(src.resolve("lin.csv"), 20, 3), DatasetOptions.csv("y"));
    Path file = artifactFile(artifacts.keys().get(0));
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 20] ^= 1;
    Files.write(file, bytes);
    JdbcDatasetStore other = replica("b");
    assertThatThrownBy(() -> other.get("lin", 1))
        .isInstanceOf(DatasetException.class)
        .hasMessage("dataset lin version 1: stored data does not match its checksum (changed or corrupted)");
    assertThat(staging("b")).isEmpty(); // nothing half-made left behind, nothing in the cache
    assertThat(tmp.resolve("b/cache/datasets/lin")).doesNotExist();
  }

  @Test
  void aMissingArtifactIsNamedAsMissing() throws Exception {
    replica("a").add("lin", SampleData.linear(src.resolve("lin.csv"), 20, 3), DatasetOptions.csv("y"));
    Files.delete(artifactFile(artifacts.keys().get(0)));
    assertThatThrownBy(() -> replica("b").latest("lin"))
        .isInstanceOf(DatasetException.class)
        .hasMessage("dataset lin version 1: stored data is missing from the artifact store");
  }

  @Test
  void aChangedCachedCopyIsFetchedAgainFromTheArtifactStore() throws Exception {
    JdbcDatasetStore store = replica("a");
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    DatasetManifest m = store.add("lin", f, DatasetOptions.csv("y"));
    Path cached = store.get("lin", 1).orElseThrow().data();
    Files.writeString(cached, "x,y\n1,100\n", StandardCharsets.UTF_8);
    StoredDataset again = store.get("lin", 1).orElseThrow();
    assertThat(Files.readString(again.data())).isEqualTo(Files.readString(f));
    assertThat(again.manifest()).isEqualTo(m);
  }

  @Test
  void badNamesAreRefusedBeforeTouchingTheDisk() throws Exception {
    JdbcDatasetStore store = replica("a");
    Path f = SampleData.linear(src.resolve("lin.csv"), 20, 3);
    for (String name : List.of("", "../x", "a/b", ".hidden", "a..b", "x".repeat(65), "%2e%2e", "a b", "..")) {
      assertThatThrownBy(() -> store.add(name, f, DatasetOptions.csv("y")))
          .as(name)
          .isInstanceOf(DatasetException.class)
          .hasMessageStartingWith("dataset name:");
      assertThatThrownBy(() -> store.get(name, 1)).as(name).hasMessageStartingWith("dataset name:");
    }
    assertThat(store.list()).isEmpty();
    assertThat(staging("a")).isEmpty();
  }

  @Test
  void invalidDatasetLeavesNoVersionBehind() throws Exception {
    JdbcDatasetStore store = replica("a");
    Path bad = Files.writeString(src.resolve("bad.csv"), "a,y\n1,2\n3\n");
    assertThatThrownBy(() -> store.add("bad", bad, DatasetOptions.csv("y")))
        .hasMessage("data.csv: row 2 (line 3) has 1 fields (expected: 2)");
    assertThat(store.list()).isEmpty();
    assertThat(artifacts.keys()).isEmpty();
    assertThat(staging("a")).isEmpty();
  }

  @Test
  void imageFoldersAreOneArtifactUnpackedOnAnotherReplicaAndStreamsAreStoredAsCsv() {
    JdbcDatasetStore store = replica("a");
    DatasetManifest m = store.add("bars", SampleData.bars(src.resolve("bars"), 3, 1), DatasetOptions.detect());
    assertThat(m.format()).isEqualTo(DatasetFormat.IMAGE_FOLDER);
    assertThat(m.classes()).containsExactly("horizontal", "vertical");
    assertThat(m.options().channels()).isEqualTo(1);
    assertThat(artifacts.keys()).hasSize(1);
    StoredDataset fetched = replica("b").get("bars", 1).orElseThrow();
    assertThat(fetched.data().resolve("vertical/002.png")).exists();
    assertThat(fetched.manifest()).isEqualTo(m);
    DatasetManifest s =
        store.add(
            "csv",
            new ByteArrayInputStream("a,b\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8)),
            DatasetOptions.csv("b"));
    assertThat(s.rows()).isEqualTo(2);
    assertThat(replica("b").get("csv", 1).orElseThrow().data().getFileName().toString()).isEqualTo("data.csv");
  }

  @Test
  void anUploadedArchiveIsStoredAsAFolderDataset() throws Exception {
    Path bars = SampleData.bars(src.resolve("bars"), 2, 1);
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      for (String f : List.of("horizontal/000.png", "horizontal/001.png", "vertical/000.png", "vertical/001.png")) {
        out.putNextEntry(new ZipEntry("bars/" + f));
        out.write(Files.readAllBytes(bars.resolve(f)));
        out.closeEntry();
      }
    }
    DatasetManifest m =
        replica("a").addArchive("bars", new ByteArrayInputStream(zip.toByteArray()), DatasetOptions.detect(), "k");
    assertThat(m.rows()).isEqualTo(4);
    StoredDataset s = replica("b").get("bars", 1).orElseThrow();
    assertThat(s.data().resolve("horizontal/001.png")).hasSameBinaryContentAs(bars.resolve("horizontal/001.png"));
    assertThatThrownBy(
            () -> replica("a").addArchive("evil", new ByteArrayInputStream(evilZip()), DatasetOptions.detect(), "k"))
        .hasMessage("archive entry '../x.png' leaves the archive");
    assertThat(replica("b").list()).extracting(DatasetManifest::name).containsExactly("bars");
  }

  private static byte[] evilZip() throws Exception {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      out.putNextEntry(new ZipEntry("../x.png"));
      out.write(1);
      out.closeEntry();
    }
    return zip.toByteArray();
  }

  @Test
  void theManifestSaysWhichTaskWasDetectedAndAGivenTaskWins() {
    JdbcDatasetStore store = replica("a");
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i).append(',').append(i % 4).append('\n');
    }
    byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
    DatasetManifest detected = store.add("few", new ByteArrayInputStream(bytes), DatasetOptions.csv("y"));
    assertThat(detected.task()).isEqualTo(Task.Type.CLASSIFICATION);
    store.add("few", new ByteArrayInputStream(bytes), DatasetOptions.csv("y").withTask(Task.Type.REGRESSION));
    DatasetManifest given = replica("b").get("few", 2).orElseThrow().manifest();
    assertThat(given.task()).isEqualTo(Task.Type.REGRESSION);
    assertThat(given.classes()).isEmpty();
  }

  @Test
  void oversizedStreamIsRefusedAndLeavesNothing() throws Exception {
    JdbcDatasetStore store = replica("a");
    byte[] big = "a,b\n1,x\n2,y\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() ->
            store.add(
                "big",
                new ByteArrayInputStream(big),
                DatasetOptions.csv("b").withLimits(new ReadLimits(1000, 10, 100))))
        .hasMessage("upload larger than the limit of 100 bytes");
    assertThat(artifacts.keys()).isEmpty();
    assertThat(staging("a")).isEmpty();
  }

  @Test
  void symbolicLinksInAFolderAreRefused() throws Exception {
    Path bars = SampleData.bars(src.resolve("bars"), 2, 1);
    Path secret = Files.writeString(src.resolve("secret.txt"), "x");
    Files.createSymbolicLink(bars.resolve("vertical/leak.png"), secret);
    assertThatThrownBy(() -> replica("a").add("bars", bars, DatasetOptions.detect()))
        .hasMessage("leak.png: symbolic links are not allowed in a dataset");
    assertThat(artifacts.keys()).isEmpty();
  }
}
