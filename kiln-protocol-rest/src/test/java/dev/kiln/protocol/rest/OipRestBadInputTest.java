package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.http.ErrorBodies;
import dev.kiln.http.HttpSettings;
import dev.kiln.http.RawHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed request gets a 4xx with {"error": ...} naming the problem, and the server keeps serving. */
class OipRestBadInputTest {
  private static final int LIMIT = 64 * 1024;
  private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));

  /** Holds the repository and, beside it, files a traversal would reach: {@code outside/}. */
  @TempDir static Path base;

  static Path root;
  static RestFixture f;

  @BeforeAll
  static void start() throws Exception {
    root = Files.createDirectories(base.resolve("repo"));
    Path outside = Files.createDirectories(base.resolve("outside/1"));
    Files.write(outside.resolve("model.onnx"), dev.kiln.onnx.ExampleModels.addSub());
    Files.writeString(base.resolve("outside/secret.txt"), "not for callers");
    f = new RestFixture(root, HttpSettings.defaults("127.0.0.1", 0).withMaxRequestBytes(LIMIT), false);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static void assertError(HttpResponse<byte[]> r, int status, String fragment) throws IOException {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
    String error = json(r).get("error").asText();
    assertThat(error).contains(fragment);
    assertThat(error).doesNotContain(root.toString()).doesNotContain("Exception").doesNotContain("dev.kiln");
  }

  private static String addSub(String aType, String aShape, String aData) {
    return "{\"inputs\": [{\"name\": \"a\", \"datatype\": \""
        + aType
        + "\", \"shape\": "
        + aShape
        + ", \"data\": "
        + aData
        + "}, {\"name\": \"b\", \"datatype\": \"FP32\", \"shape\": [1, 4], "
        + "\"data\": [1, 2, 3, 4]}]}";
  }

  @Test
  void malformedJsonIsABadRequest() throws Exception {
    assertError(f.post("/v2/models/add_sub/infer", "{\"inputs\": [ {"), 400, "malformed JSON");
    assertError(f.post("/v2/models/add_sub/infer", "[]"), 400, "JSON object");
    assertError(f.post("/v2/models/add_sub/infer", "{}"), 400, "inputs");
  }

  @Test
  void wrongDatatypeShapeOrElementCountIsNamed() throws Exception {
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP64", "[1, 4]", "[1, 2, 3, 4]")),
        400,
        "input 'a': datatype FP64 (expected: FP32)");
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 3]", "[1, 2, 3]")),
        400,
        "input 'a': shape [1, 3] (expected: [*, 4])");
    assertError(f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[1, 2, 3]")), 400, "data has 3 elements");
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[1, 2, 3, 4, 5]")),
        400,
        "more elements than its shape");
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[1, 2, \"x\", 4]")), 400, "expected numbers");
    assertError(f.post("/v2/models/add_sub/infer", addSub("NOPE", "[1, 4]", "[1, 2, 3, 4]")), 400, "unknown datatype");
    assertError(f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, -4]", "[1, 2, 3, 4]")), 400, "non-negative");
    assertError(
        f.post(
            "/v2/models/add_sub/infer",
            """
            {"inputs": [{"name": "a", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}\
            """),
        400,
        "missing input 'b'");
    assertError(
        f.post(
            "/v2/models/add_sub/infer",
            """
            {"inputs": [{"name": "a", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
                        {"name": "a", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}\
            """),
        400,
        "given twice");
    assertError(
        f.post(
            "/v2/models/add_sub/infer",
            addSub("FP32", "[1, 4]", "[1, 2, 3, 4]").replace("]}]}", "]}], \"outputs\": [{\"name\": \"product\"}]}")),
        400,
        "unknown output 'product'");
  }

  @Test
  void shapesThatOverflowAreRefusedBeforeAllocating() throws Exception {
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP32", "[16, 1152921504606846978]", "[1]")), 400, "too large");
    byte[] header =
        ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [16, "
                + "1152921504606846978], \"parameters\": {\"binary_data_size\": 4}}]}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[header.length + 4];
    System.arraycopy(header, 0, body, 0, header.length);
    assertError(
        f.post(
            "/v2/models/mlp/infer", body, Map.of("Inference-Header-Content-Length", Integer.toString(header.length))),
        400,
        "too large");
  }

  @Test
  void datatypesAreSpelledAsTheProtocolSpellsThem() throws Exception {
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("fp32", "[1, 4]", "[1, 2, 3, 4]")),
        400,
        "unknown datatype: fp32 (datatypes are spelled as the protocol does: FP32)");
    assertError(f.post("/v2/models/add_sub/infer", addSub("Fp32", "[1, 4]", "[1, 2, 3, 4]")), 400, "unknown datatype");
  }

  @Test
  void raggedOrMisshapenNestedDataIsRefused() throws Exception {
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[[1, 2, 3], [4]]")),
        400,
        "input 'a': data is ragged");
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[1, [2, 3], 4]")),
        400,
        "input 'a': data is ragged");
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[[1, 2], [3, 4]]")),
        400,
        "nested data of shape [2, 2] does not match shape [1, 4]");
    // Flat and natural nesting both stand.
    assertThat(f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[[1, 2, 3, 4]]")).statusCode())
        .isEqualTo(200);
    assertThat(f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[1, 2, 3, 4]")).statusCode())
        .isEqualTo(200);
  }

  @Test
  void jsonNullIsAMissingValueInFloatingPointData() throws Exception {
    HttpResponse<byte[]> r = f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", "[1, null, 3, 4]"));
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    var sum = json(r).get("outputs").get(0).get("data");
    assertThat(sum.get(0).asDouble()).isEqualTo(2.0);
    assertThat(sum.get(1).asText()).isEqualTo("NaN");
    HttpResponse<byte[]> p =
        f.post("/predict/add_sub", "{\"inputs\": {\"a\": [[1, null, 3, 4]], " + "\"b\": [[1, 2, 3, 4]]}}");
    assertThat(p.statusCode()).as(new String(p.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertError(
        f.post("/v2/models/add_sub/infer", addSub("INT32", "[1, 4]", "[1, null, 3, 4]")),
        400,
        "expected integers, found null");
  }

  /** Found by OipRestFuzzTest: bytes Jackson takes for UTF-32 with an invalid character were a 500. */
  @Test
  void bytesThatAreNoUnicodeTextAreMalformedJson() throws Exception {
    byte[] utf32 = {0, 0, 0, '{', 0x3f, 0, 0, 0};
    assertError(
        f.post("/v2/models/add_sub/infer", utf32, Map.of("Content-Type", "application/json")),
        400,
        "malformed JSON: the text is not valid UTF-8");
    assertError(f.post("/predict/add_sub", utf32, Map.of("Content-Type", "application/json")), 400, "malformed JSON");
  }

  @Test
  void jsonErrorsAreKilnsWordsNotJacksons() throws Exception {
    assertError(f.post("/v2/models/add_sub/infer", "{\"inputs\": [ {"), 400, "malformed JSON: unexpected end of input");
    assertError(f.post("/v2/models/add_sub/infer", "{\"inputs\":\n [nope]}"), 400, "malformed JSON at line 2 column");
    assertError(
        f.post("/v2/models/add_sub/infer", "{\"inputs\": " + "[".repeat(150) + "]".repeat(150) + "}"),
        400,
        "JSON nesting deeper than 100");
    for (String body :
        new String[] {"{\"inputs\": [ {", "{\"a\": tru}", "[".repeat(150), "{\"inputs\": [\"\\u00\"]}"}) {
      HttpResponse<byte[]> r = f.post("/v2/models/add_sub/infer", body);
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(ErrorBodies.leaks(new String(r.body(), StandardCharsets.UTF_8))).as(body).isEmpty();
    }
  }

  @Test
  void unknownModelOrVersionIsNotFound() throws Exception {
    assertError(f.post("/v2/models/nope/infer", addSub("FP32", "[1, 4]", "[1, 2, 3, 4]")), 404, "unknown model");
    assertError(
        f.post("/v2/models/add_sub/versions/9/infer", addSub("FP32", "[1, 4]", "[1, 2, 3, 4]")), 404, "no version 9");
    assertError(f.get("/v2/models/nope"), 404, "unknown model");
    assertThat(f.get("/v2/no/such/route").statusCode()).isEqualTo(404);
    assertThat(f.get("/v2/models/add_sub/infer").statusCode()).isEqualTo(405);
  }

  @Test
  void binaryHeaderLiesAreRefused() throws Exception {
    byte[] header =
        ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 784],"
                + " \"parameters\": {\"binary_data_size\": 3136}}]}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] shortBody = new byte[header.length + 100];
    System.arraycopy(header, 0, shortBody, 0, header.length);
    assertError(
        f.post(
            "/v2/models/mlp/infer",
            shortBody,
            Map.of("Inference-Header-Content-Length", Integer.toString(header.length))),
        400,
        "past the end");
    assertError(
        f.post("/v2/models/mlp/infer", shortBody, Map.of("Inference-Header-Content-Length", "999999")),
        400,
        "outside the body");
    assertError(
        f.post("/v2/models/mlp/infer", shortBody, Map.of("Inference-Header-Content-Length", "-1")),
        400,
        "outside the body");
    assertError(
        f.post("/v2/models/mlp/infer", shortBody, Map.of("Inference-Header-Content-Length", "abc")),
        400,
        "not a number");

    byte[] bytesHeader =
        ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"BYTES\", \"shape\": [1, 1],"
                + " \"parameters\": {\"binary_data_size\": 8}}]}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(bytesHeader.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(bytesHeader).putInt(1000).putInt(0); // claims 1000 bytes, has 4
    assertError(
        f.post(
            "/v2/models/strings/infer",
            b.array(),
            Map.of("Inference-Header-Content-Length", Integer.toString(bytesHeader.length))),
        400,
        "runs past the end");

    byte[] extra = new byte[header.length + 3136 + 5];
    System.arraycopy(header, 0, extra, 0, header.length);
    assertError(
        f.post(
            "/v2/models/mlp/infer", extra, Map.of("Inference-Header-Content-Length", Integer.toString(header.length))),
        400,
        "not claimed");
  }

  @Test
  void oversizedBodyGets413AndTheServerStaysUp() throws Exception {
    byte[] big = new byte[LIMIT + 128];
    HttpResponse<byte[]> r = f.post("/v2/models/mlp/infer", big, Map.of("Content-Type", "application/json"));
    assertError(r, 413, "larger than the limit");
    byte[] justUnder =
        ("{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [1, 4], \"data\": "
                + "[1, 2, 3, 4]}, {\"name\": \"b\", \"datatype\": \"FP32\", \"shape\": [1, 4], \"data\": [1, 2, 3, 4]}]"
                + " ".repeat(LIMIT - 300)
                + "}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(justUnder.length).isLessThan(LIMIT);
    assertThat(f.post("/v2/models/add_sub/infer", justUnder, Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  void aGzipBombIsCutOffAtTheLimitOfItsInflatedSize() throws Exception {
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 16; i++) {
        gz.write(zeros); // 16 MiB inflated, about 16 KiB on the wire
      }
    }
    assertThat(zipped.size()).isLessThan(LIMIT);
    assertError(
        f.post("/v2/models/mlp/infer", zipped.toByteArray(), Map.of("Content-Encoding", "gzip")),
        413,
        "larger than the limit");
    assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void jsonNestingIsCappedWithoutStackOverflow() throws Exception {
    String deep = "[".repeat(150) + "]".repeat(150);
    assertError(f.post("/v2/models/add_sub/infer", "{\"inputs\": " + deep + "}"), 400, "nesting");
    String veryDeep = "[".repeat(30_000);
    assertError(f.post("/v2/models/add_sub/infer", "{\"inputs\": " + veryDeep), 400, "nesting");
    String shallow = "[".repeat(40) + "1" + "]".repeat(40);
    HttpResponse<byte[]> r = f.post("/v2/models/add_sub/infer", addSub("FP32", "[1, 4]", shallow));
    assertThat(json(r).get("error").asText()).doesNotContain("nesting");
    assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
  }

  /**
   * The server answers 431 after 64 KiB of headers while the client is still writing its 1 MiB: it must keep reading
   * (and discarding) long enough for the client to finish and read the answer, never reset it.
   */
  @Test
  void hugeHeadersGet431() throws Exception {
    String req = "GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(1 << 20) + "\r\n\r\n";
    try (RawHttp raw = new RawHttp(f.server.port())) {
      String response = raw.write(req.getBytes(StandardCharsets.US_ASCII)).response().get(30, TimeUnit.SECONDS);
      assertThat(RawHttp.status(response)).as(response).isEqualTo(431);
      assertThat(json(RawHttp.body(response)).get("error").asText()).contains("headers too large");
    }
    assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
  }

  /** A body that says it is compressed but is not (or is corrupt) is a bad request, answered, not a dropped line. */
  @Test
  void bodiesThatAreNotWhatTheirEncodingSaysGet400() throws Exception {
    byte[] plain = addSub("FP32", "[1, 4]", "[1, 2, 3, 4]").getBytes(StandardCharsets.UTF_8);
    byte[] corrupt = new byte[4096];
    new java.util.Random(7).nextBytes(corrupt);
    byte[] badGzip = java.util.Arrays.copyOf(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}, 4096);
    new java.util.Random(8).nextBytes(java.util.Arrays.copyOfRange(badGzip, 10, 4096));
    System.arraycopy(corrupt, 10, badGzip, 10, 4086);
    Object[][] cases = {{"gzip", plain}, {"deflate", corrupt}, {"gzip", badGzip}, {"deflate", plain}};
    for (Object[] c : cases) {
      try (RawHttp raw = new RawHttp(f.server.port())) {
        String response =
            raw.write(
                    RawHttp.post(
                        "/v2/models/add_sub/infer",
                        (byte[]) c[1],
                        "Content-Encoding: " + c[0],
                        "Content-Type: application/json"))
                .response()
                .get(30, TimeUnit.SECONDS);
        assertThat(RawHttp.status(response)).as(c[0] + ": " + response).isEqualTo(400);
        assertThat(json(RawHttp.body(response)).get("error").asText()).contains("Content-Encoding");
      }
    }
    assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void modelControlIsRefusedWhenDisabled() throws Exception {
    assertError(f.post("/v2/repository/models/add_sub/unload", ""), 400, "disabled");
    assertThat(f.get("/v2/models/add_sub/ready").statusCode()).isEqualTo(200);
  }

  /**
   * Names that climb out of the repository are refused, and nothing outside it is read, written or created: every file
   * and folder beside the repository keeps its (back-dated) access and modification times.
   */
  @Test
  void traversalNamesNeverReachTheFilesystem() throws Exception {
    boolean atimeTracked = atimeIsTracked();
    Map<Path, BasicFileAttributes> before = backDatedOutside();
    String[] names = {
      "..",
      "%2e%2e",
      "..%2f..%2fetc",
      "%2fetc%2fpasswd",
      "..%2foutside",
      "%2e%2e%2foutside",
      "..%5coutside",
      "outside%2f..%2f..%2foutside",
      "%2e%2e%2fOUTSIDE",
      "..%2foutside%2fsecret.txt"
    };
    for (String name : names) {
      for (String path :
          new String[] {
            "/v2/models/" + name,
            "/v2/models/" + name + "/ready",
            "/v2/models/" + name + "/versions/1",
            "/v2/models/" + name + "/config"
          }) {
        assertThat(f.get(path).statusCode()).as(path).isIn(400, 404);
      }
      HttpResponse<byte[]> infer = f.post("/v2/models/" + name + "/infer", addSub("FP32", "[1, 4]", "[1, 2, 3, 4]"));
      assertThat(infer.statusCode()).as(name).isIn(400, 404);
      assertThat(f.post("/v2/repository/models/" + name + "/load", "").statusCode()).as(name).isIn(400, 404);
    }
    Map<Path, BasicFileAttributes> after = times(List.copyOf(before.keySet()));
    assertThat(listOutside()).as("files beside the repository").containsExactlyElementsOf(before.keySet());
    for (Path p : before.keySet()) {
      assertThat(after.get(p).lastModifiedTime()).as("modified: " + p).isEqualTo(before.get(p).lastModifiedTime());
      if (atimeTracked) {
        assertThat(after.get(p).lastAccessTime()).as("read: " + p).isEqualTo(before.get(p).lastAccessTime());
      }
    }
  }

  /** Back-dates every path under {@code base} but the repository, and returns its times. */
  private static Map<Path, BasicFileAttributes> backDatedOutside() throws IOException {
    List<Path> paths = listOutside();
    for (Path p : paths) {
      Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(LONG_AGO, LONG_AGO, null);
    }
    return times(paths);
  }

  /** The times of {@code paths}, read without listing any folder (listing would touch their access times). */
  private static Map<Path, BasicFileAttributes> times(List<Path> paths) throws IOException {
    Map<Path, BasicFileAttributes> seen = new java.util.TreeMap<>();
    for (Path p : paths) {
      seen.put(p, Files.readAttributes(p, BasicFileAttributes.class));
    }
    return seen;
  }

  private static List<Path> listOutside() throws IOException {
    try (var walk = Files.walk(base)) {
      return walk.filter(p -> !p.startsWith(root) && !p.equals(base)).sorted().toList();
    }
  }

  /** Whether reading a back-dated file updates its access time here (not on noatime mounts). */
  private static boolean atimeIsTracked() throws IOException {
    Path probe = Files.writeString(base.resolve("atime-probe"), "x");
    Files.getFileAttributeView(probe, BasicFileAttributeView.class).setTimes(LONG_AGO, LONG_AGO, null);
    Files.readAllBytes(probe);
    boolean tracked = !Files.readAttributes(probe, BasicFileAttributes.class).lastAccessTime().equals(LONG_AGO);
    Files.delete(probe);
    return tracked;
  }
}
