package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/** {@code kiln datasets download|preview}: the stored bytes back, verified, and a look at the first rows. */
class DatasetReadCliTest extends TrainingServerCli {
  @Test
  void aCsvVersionDownloadsAsStoredAfterItsPolicyAndPreviewsItsFirstRows() throws Exception {
    StringBuilder csv = new StringBuilder("email,x,y\n");
    for (int x = 0; x < 30; x++) {
      csv.append("p").append(x).append("@mail.example,").append(x).append(',').append(2 * x + 1).append('\n');
    }
    Path file = Files.writeString(files.resolve("people.csv"), csv);
    assertThat(kiln("datasets", "add", file.toString(), "--label", "y", "--url", url).exit()).isZero();
    Run add = kiln("datasets", "add", file.toString(), "--label", "y", "--drop", "email", "--url", url);
    assertThat(add.exit()).as(add.err()).isZero();

    Path out = files.resolve("back.csv");
    Run v1 = kiln("datasets", "download", "people@1", "-o", out.toString(), "--url", url);
    assertThat(v1.exit()).as(v1.err()).isZero();
    assertThat(v1.out()).contains("dataset people version 1: ").contains("(verified)");
    assertThat(Files.readString(out)).isEqualTo(csv.toString());
    // The newest by default, as stored: the dropped column never comes back.
    Run latest = kiln("datasets", "download", "people", "-o", out.toString(), "--url", url);
    assertThat(latest.exit()).as(latest.err()).isZero();
    assertThat(latest.out()).contains("dataset people version 2: ");
    assertThat(Files.readString(out)).startsWith("x,y\n0,1\n1,3\n").doesNotContain("@mail.example");

    Run preview = kiln("datasets", "preview", "people", "--rows", "2", "--url", url);
    assertThat(preview.exit()).as(preview.err()).isZero();
    assertThat(preview.out())
        .isEqualTo("dataset people version 2\nx\ty\n0\t1\n1\t3\n... (more rows: kiln datasets download people)\n");
    Run missing = kiln("datasets", "download", "people@9", "--url", url);
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("no dataset people version 9");
  }

  @Test
  void aFolderVersionDownloadsAsAZipOfItsFiles() throws Exception {
    Map<String, String> texts = new TreeMap<>();
    for (int i = 0; i < 6; i++) {
      texts.put("good/" + i + ".txt", "a fine day number " + i);
      texts.put("bad/" + i + ".txt", "a grim night number " + i);
    }
    Path folder = files.resolve("moods");
    for (var e : texts.entrySet()) {
      Files.createDirectories(folder.resolve(e.getKey()).getParent());
      Files.writeString(folder.resolve(e.getKey()), e.getValue());
    }
    Run add = kiln("datasets", "add", folder.toString(), "--url", url);
    assertThat(add.exit()).as(add.err()).isZero();
    Path out = files.resolve("moods.zip");
    Run got = kiln("datasets", "download", "moods", "-o", out.toString(), "--url", url);
    assertThat(got.exit()).as(got.err()).isZero();
    assertThat(got.out()).contains("(zip of the folder)");
    Map<String, String> back = new TreeMap<>();
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(out))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        back.put(e.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertThat(back).isEqualTo(texts);
    Run preview = kiln("datasets", "preview", "moods", "--url", url);
    assertThat(preview.exit()).isNotZero();
    assertThat(preview.err()).contains("not csv");
  }
}
