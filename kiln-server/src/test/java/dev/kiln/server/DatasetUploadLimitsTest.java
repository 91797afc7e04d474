package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.data.ReadLimits;
import dev.kiln.training.data.ZipArchive;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Dataset uploads over the server's configured limits, over real HTTP: each is answered 413 with a reason that names
 * the limit and the file or archive entry, never a path on the server, and nothing is left behind.
 */
class DatasetUploadLimitsTest extends TrainingApiFixture {
  static final ReadLimits LIMITS = new ReadLimits(100_000, 2_000, 1_000_000, 64L << 20, 4_000_000, 1 << 16);

  @Override
  Kiln startKiln() throws Exception {
    return Kiln.start(
        KilnConfig.defaults(repo, 0, 0)
            .withTraining(
                TrainingConfig.defaults(data).withDatasetLimits(LIMITS, new ZipArchive.Limits(1000, 64L << 20, 50))));
  }

  @Test
  void aGzipCsvOfAThousandColumnsIs413AtTheCellLimit() throws Exception {
    HttpResponse<String> r = post("/api/v1/datasets/bomb?label=c0", gzipCsv(1000, 20_000), "text/csv");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(error(r)).isEqualTo("data.csv: more than the limit of 1000000 cells (1001 rows of 1000 columns)");
  }

  @Test
  void aZipOfHugeDimensionPngsIs413BeforeDecoding() throws Exception {
    byte[] png = png(16_000);
    HttpResponse<String> r = post("/api/v1/datasets/pngs", zip("a/big.png", png, "b/big.png", png), "application/zip");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(error(r)).isEqualTo("a/big.png: 16000x16000 pixels, more than the limit of 4000000 pixels an image");
  }

  @Test
  void aZipBombIs413WhileStreamingAndLeavesNothing() throws Exception {
    HttpResponse<String> r = post("/api/v1/datasets/zb", zip("cats/z.png", new byte[200 << 20]), "application/zip");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(error(r)).startsWith("archive entry 'cats/z.png': unpacks to more than 50 times");
    assertThat(size(data)).isLessThan(1 << 20);
  }

  @Test
  void anArchiveThatCannotBeUnpackedNamesTheEntryNotTheServerPath() throws Exception {
    HttpResponse<String> r =
        post("/api/v1/datasets/clash", zip("a", new byte[] {1}, "a/b.png", new byte[] {2}), "application/zip");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(error(r))
        .isEqualTo("archive entry 'a/b.png': cannot be unpacked (a file and a folder of the same " + "name?)");
    assertThat(r.body()).doesNotContain(data.toString()).doesNotContain(System.getProperty("java.io.tmpdir"));
  }

  private HttpResponse<String> post(String path, byte[] body, String type) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
            .header("content-type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> r) throws IOException {
    JsonNode n = JSON.readTree(r.body());
    return n.path("error").asText();
  }

  static byte[] gzipCsv(int columns, int rows) throws IOException {
    StringBuilder header = new StringBuilder();
    StringBuilder row = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      header.append(c == 0 ? "" : ",").append('c').append(c);
      row.append(c == 0 ? "1" : ",0");
    }
    byte[] line = (row + "\n").getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write((header + "\n").getBytes(StandardCharsets.US_ASCII));
      for (int r = 0; r < rows; r++) {
        out.write(line);
      }
    }
    return bytes.toByteArray();
  }

  /** A valid 8-bit greyscale PNG of side² black pixels. */
  static byte[] png(int side) throws IOException {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (OutputStream z = new DeflaterOutputStream(idat)) {
      byte[] scanline = new byte[side + 1];
      for (int y = 0; y < side; y++) {
        z.write(scanline);
      }
    }
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(side);
    h.writeInt(side);
    h.write(new byte[] {8, 0, 0, 0, 0});
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(file);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
    chunk(out, "IHDR", ihdr.toByteArray());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return file.toByteArray();
  }

  private static void chunk(DataOutputStream out, String type, byte[] bytes) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeInt(bytes.length);
    out.write(t);
    out.write(bytes);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(bytes);
    out.writeInt((int) crc.getValue());
  }

  /** A zip of (name, content) pairs. */
  static byte[] zip(Object... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (int i = 0; i < entries.length; i += 2) {
        z.putNextEntry(new ZipEntry((String) entries[i]));
        z.write((byte[]) entries[i + 1]);
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
