package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetDownloadTest {
  @TempDir Path dir;

  static StoredDataset stored(Path data, DatasetFormat format) {
    return new StoredDataset(
        new DatasetManifest(
            "sales",
            3,
            format,
            DatasetOptions.detect(),
            data.getFileName().toString(),
            0,
            null,
            null,
            null,
            "x",
            0,
            "t",
            "k",
            null),
        data);
  }

  @Test
  void aFileIsSentAsStoredWithItsTypeAndExtension() throws Exception {
    byte[] gz = {0x1f, (byte) 0x8b, 8, 0};
    Path file = Files.write(dir.resolve("data.csv.gz"), gz);
    DatasetDownload d = new DatasetDownload(stored(file, DatasetFormat.CSV));
    assertThat(d.contentType()).isEqualTo("application/gzip");
    assertThat(d.fileName()).isEqualTo("sales-v3.csv.gz");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    d.writeTo(out);
    assertThat(out.toByteArray()).isEqualTo(gz);
    Path tsv = Files.writeString(dir.resolve("data.tsv"), "a\tb\n");
    assertThat(new DatasetDownload(stored(tsv, DatasetFormat.CSV)).contentType()).startsWith("text/tab-separated");
    Path bare = Files.writeString(dir.resolve("data"), "a,b\n");
    assertThat(new DatasetDownload(stored(bare, DatasetFormat.CSV)).fileName()).isEqualTo("sales-v3.csv");
  }

  @Test
  void aFolderIsSentAsAZipOfItsFilesInPathOrder() throws Exception {
    Path root = dir.resolve("images");
    Files.createDirectories(root.resolve("cat"));
    Files.createDirectories(root.resolve("ant"));
    Files.writeString(root.resolve("cat/1.png"), "c1");
    Files.writeString(root.resolve("ant/2.png"), "a2");
    DatasetDownload d = new DatasetDownload(stored(root, DatasetFormat.IMAGE_FOLDER));
    assertThat(d.contentType()).isEqualTo("application/zip");
    assertThat(d.fileName()).isEqualTo("sales-v3.zip");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    d.writeTo(out);
    List<String> entries = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        entries.add(e.getName() + "=" + new String(zip.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertThat(entries).containsExactly("ant/2.png=a2", "cat/1.png=c1");
  }

  @Test
  void aPreviewIsTheHeaderAndFirstRowsCutAtTheMaximum() throws Exception {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 150; i++) {
      csv.append(i).append(",\"a, ").append(i).append("\"\n");
    }
    Path file = Files.writeString(dir.resolve("data.csv"), csv);
    DatasetPreview two = DatasetPreview.of(stored(file, DatasetFormat.CSV), 2);
    assertThat(two.columns()).containsExactly("x", "y");
    assertThat(two.rows()).containsExactly(List.of("0", "a, 0"), List.of("1", "a, 1"));
    assertThat(two.more()).isTrue();
    DatasetPreview all = DatasetPreview.of(stored(file, DatasetFormat.CSV), 1000);
    assertThat(all.rows()).hasSize(DatasetPreview.MAX_ROWS);
    assertThat(all.more()).isTrue();
    assertThatThrownBy(() -> DatasetPreview.of(stored(file, DatasetFormat.CSV), 0)).hasMessageContaining("rows: 0");
    assertThatThrownBy(() -> DatasetPreview.of(stored(dir, DatasetFormat.IMAGE_FOLDER), 5))
        .hasMessageContaining("not csv");
  }
}
