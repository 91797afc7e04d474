package dev.kiln.govern.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scan finds a marker anywhere in a file, across its read blocks too, and nothing where it is not. */
class MarkerScanTest {
  @TempDir Path dir;

  @Test
  void findsTheMarkerAtEveryOffsetAndNothingElse() throws Exception {
    MarkerScan scan = MarkerScan.of("zq-marker");
    byte[] big = new byte[(1 << 16) * 3];
    Arrays.fill(big, (byte) 'a');
    for (int at : new int[] {0, (1 << 16) - 4, (1 << 16) * 2 + 1, big.length - 9}) {
      byte[] copy = big.clone();
      System.arraycopy("zq-marker".getBytes(), 0, copy, at, 9);
      Files.write(dir.resolve("at-" + at), copy);
    }
    Files.write(dir.resolve("none"), big);
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/partial"), "zq-marke");

    assertThat(scan.filesWithMarker(dir, dir.resolve("missing")))
        .extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder("at-0", "at-65532", "at-131073", "at-196599");
    assertThat(MarkerScan.files(dir)).isEqualTo(6);
  }
}
