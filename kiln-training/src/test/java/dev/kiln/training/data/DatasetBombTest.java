package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset bombs of the hostile catalogue, each read with the default limits in a child JVM with a 128 MiB heap:
 * every one is refused with a reason naming the limit, none runs out of memory, and a zip bomb leaves little on disk.
 */
class DatasetBombTest {
  private static final String HEAP = "-Xmx128m";

  @TempDir Path dir;

  @Test
  void gzipCsvOfAThousandColumnsIsRefusedAtTheCellLimit() throws Exception {
    Path f = Bombs.gzipCsv(dir.resolve("bomb.csv.gz"), 1000, 128_000); // 3 KiB a row, 256 MB inflated
    assertThat(Files.size(f)).isLessThan(2 << 20);
    assertThat(probe("csv", f, "c999")).startsWith("refused: bomb.csv.gz: more than the limit of").contains("cells");
  }

  @Test
  void manyColumnPlainCsvIsRefusedAtTheCellLimit() throws Exception {
    Path f = Bombs.gzipCsv(dir.resolve("wide.csv.gz"), 10_000, 3_000);
    assertThat(probe("csv", f, "c0")).startsWith("refused: wide.csv.gz: more than the limit of").contains("cells");
  }

  @Test
  void aHugeCellIsRefusedAtTheFieldLimit() throws Exception {
    Path f = Bombs.hugeField(dir.resolve("field.csv.gz"), 300L << 20);
    assertThat(probe("csv", f, "a")).startsWith("refused: field.csv.gz: line 2: a field longer than");
  }

  @Test
  void aPlainCsvWithinTheLimitsReadsInASmallHeap() throws Exception {
    Path f = Bombs.plainCsv(dir.resolve("plain.csv"), 11, 400_000); // about 45 MB, 4.8M cells
    assertThat(probe("csv", f, "y")).isEqualTo("accepted: 400000");
  }

  @Test
  void hugeDimensionPngsAreRefusedBeforeDecoding() throws Exception {
    Path root = dir.resolve("images");
    Files.createDirectories(root.resolve("a"));
    Files.createDirectories(root.resolve("b"));
    Bombs.png(root.resolve("a/big.png"), 16_000);
    Files.copy(root.resolve("a/big.png"), root.resolve("b/big.png"));
    assertThat(Files.size(root.resolve("a/big.png"))).isLessThan(1 << 20);
    assertThat(probe("images", root, ""))
        .isEqualTo(
            "refused: a/big.png: 16000x16000 pixels, more than the limit "
                + "of "
                + ReadLimits.defaults().maxImagePixels()
                + " pixels an image");
  }

  @Test
  void anIdxHeaderDeclaringAGigabyteOfPixelsIsRefusedBeforeAllocating() throws Exception {
    Path root = Files.createDirectories(dir.resolve("idx"));
    try (var out = new java.io.DataOutputStream(Files.newOutputStream(root.resolve("images-idx3-ubyte")))) {
      out.writeInt(0x0803);
      out.writeInt(16_000);
      out.writeInt(256);
      out.writeInt(256);
      out.write(new byte[1000]);
    }
    try (var out = new java.io.DataOutputStream(Files.newOutputStream(root.resolve("labels-idx1-ubyte")))) {
      out.writeInt(0x0801);
      out.writeInt(16_000);
      out.write(new byte[16_000]);
    }
    assertThat(probe("images", root, ""))
        .isEqualTo(
            "refused: images-idx3-ubyte: dimensions [16000, 256, 256] "
                + "exceed the limit of "
                + ReadLimits.defaults().maxCells()
                + " values");
  }

  @Test
  void zipBombIsRefusedWhileStreamingAndWritesLittle() throws Exception {
    Path zip = Bombs.zip(dir.resolve("bomb.zip"), 512L << 20);
    assertThat(Files.size(zip)).isLessThan(1 << 20);
    Path target = dir.resolve("unpacked");
    assertThat(probe("zip", zip, target.toString())).startsWith("refused: archive entry 'cats/zeros.png'");
    assertThat(size(target)).isLessThan(16L << 20);
  }

  private static String probe(String kind, Path input, String arg) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    HEAP,
                    "-cp",
                    System.getProperty("java.class.path"),
                    SmallHeapProbe.class.getName(),
                    kind,
                    input.toString(),
                    arg))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(out).doesNotContain("OutOfMemoryError").doesNotContain("out of memory");
    return out;
  }

  private static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
