package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCsvTest {
  private static final byte[] KEY = new byte[32];
  private static final DatasetKeys KEYS = d -> KEY;

  private static String apply(String csv, DatasetOptions options) {
    return apply(csv.getBytes(StandardCharsets.UTF_8), options);
  }

  private static String apply(byte[] csv, DatasetOptions options) {
    try (InputStream in = PolicyCsv.apply(new ByteArrayInputStream(csv), "people", options, KEYS)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DatasetOptions policy(String drop, String hash, String mask) {
    return DatasetOptions.csv("y")
        .withPolicy(
            ColumnPolicy.parse(
                drop.isEmpty() ? List.of() : List.of(drop),
                hash.isEmpty() ? List.of() : List.of(hash),
                mask.isEmpty() ? List.of() : List.of(mask)));
  }

  static String hmac(String value) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void dropsHashesAndMasksQuotedFieldsWithCrlfAndKeepsMissingValues() throws Exception {
    String csv =
        "id,email,postcode,note,y\r\n"
            + "c1,\"a@b.org\",\"SW1A 1AA\",\"says \"\"hi\"\", twice\",1\r\n"
            + " c1 ,x@y.org,EC1,\"two\r\nlines\",0\r\n"
            + ",,NA,,1\r\n";
    String out = apply(csv, policy("email", "id", "postcode:3"));
    String h = hmac("c1");
    assertThat(out)
        .isEqualTo(
            "id,postcode,note,y\n"
                + h
                + ",SW1,\"says \"\"hi\"\", twice\",1\n"
                + h
                + ",EC1,\"two\r\nlines\",0\n"
                + ",NA,,1\n");
    assertThat(out).doesNotContain("@").doesNotContain("c1,");
  }

  @Test
  void theOutputReadsBackAsTheSameTable(@TempDir Path dir) throws Exception {
    String out = apply("a,b,c,y\n1,\"x,y\",\"q\"\"\",0\n2,\"\",z,1\n", policy("a", "", ""));
    Path f = dir.resolve("data.csv");
    Files.writeString(f, out);
    CsvTable t = CsvParser.read(f, ',', ReadLimits.defaults());
    assertThat(t.header()).containsExactly("b", "c", "y");
    assertThat(t.rows().get(0)).containsExactly("x,y", "q\"", "0");
    assertThat(t.rows().get(1)).containsExactly("", "z", "1");
  }

  @Test
  void readsGzippedUploadsAndOtherDelimiters() throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write("a\temail\ty\n1\tm@x.io\t0\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(apply(gz.toByteArray(), policy("email", "", "").withDelimiter('\t'))).isEqualTo("a\ty\n1\t0\n");
  }

  @Test
  void anEmptyPolicyPassesTheUploadThroughUntouched() {
    InputStream raw = new ByteArrayInputStream(new byte[] {1, 2});
    assertThat(PolicyCsv.apply(raw, "d", DatasetOptions.csv("y"), DatasetKeys.none())).isSameAs(raw);
    assertThat(DatasetOptions.csv("y").withPolicy(ColumnPolicy.none()).policy()).isNull();
  }

  @Test
  void refusesPoliciesNamingTheLabelAnUnknownColumnOrANonCsvFormat() {
    assertThatThrownBy(() -> apply("a,y\n1,0\n", policy("y", "", "")))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("'y'")
        .hasMessageContaining("label");
    assertThatThrownBy(() -> apply("a,y\n1,0\n", policy("", "phone", "")))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("'phone' is not in the header");
    assertThatThrownBy(() -> apply("a,y\n1,0\n", policy("a", "", "").withFormat(DatasetFormat.IMAGE_FOLDER)))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("'a'")
        .hasMessageContaining("CSV datasets only");
    assertThatThrownBy(() -> ColumnPolicy.parse(List.of("a"), List.of("a"), List.of()))
        .hasMessageContaining("'a' is named twice");
    assertThatThrownBy(() -> ColumnPolicy.parse(List.of(), List.of(), List.of("zip"))).hasMessageContaining("column:N");
    assertThatThrownBy(() -> ColumnPolicy.parse(List.of(), List.of(), List.of("zip:0")))
        .hasMessageContaining("'zip' keeps 0");
  }

  @Test
  void parsesListsAndRepeatsAndKeepsColonsInNames() {
    ColumnPolicy p = ColumnPolicy.parse(List.of("a, b", "c"), List.of("id"), List.of("t:x:2,zip:3"));
    assertThat(p.drop()).containsExactly("a", "b", "c");
    assertThat(p.mask()).isEqualTo(Map.of("t:x", 2, "zip", 3));
  }

  @Test
  void fileKeysAreOwnerOnlyStableAndOnePerName(@TempDir Path dir) throws Exception {
    FileDatasetKeys keys = new FileDatasetKeys(dir.resolve("keys"));
    Map<Integer, String> seen = new ConcurrentHashMap<>();
    List<Thread> racers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int n = i;
      racers.add(Thread.ofVirtual().start(() -> seen.put(n, HexFormat.of().formatHex(keys.hashKey("people")))));
    }
    for (Thread t : racers) {
      t.join();
    }
    assertThat(seen.values()).hasSize(8).allMatch(k -> k.equals(seen.get(0)));
    assertThat(seen.get(0)).hasSize(64);
    assertThat(keys.hashKey("others")).isNotEqualTo(keys.hashKey("people"));
    assertThat(new FileDatasetKeys(dir.resolve("keys")).hashKey("people")).isEqualTo(keys.hashKey("people"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys/people.key"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys"))))
        .isEqualTo("rwx------");
    try (var files = Files.list(dir.resolve("keys"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("people.key", "others.key");
    }
  }
}
