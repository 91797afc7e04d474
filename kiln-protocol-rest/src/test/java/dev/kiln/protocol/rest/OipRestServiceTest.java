package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.JSON;
import static dev.kiln.protocol.rest.RestFixture.MLP;
import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.onnx.ExampleModels;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OipRestServiceTest {
  @TempDir static Path root;
  static RestFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = RestFixture.start(root);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static float[] row(long seed) {
    return ExampleModels.Mlp.randomRow(784, seed);
  }

  static ObjectNode mlpRequest(boolean nested, float[]... rows) {
    ObjectNode req = JSON.createObjectNode().put("id", "req-1");
    ObjectNode in = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
    in.putArray("shape").add(rows.length).add(784);
    ArrayNode data = in.putArray("data");
    for (float[] r : rows) {
      ArrayNode target = nested ? data.addArray() : data;
      for (float v : r) {
        target.add(v);
      }
    }
    return req;
  }

  static void assertLogits(float[] actual, int offset, float[] row) {
    float[] expected = MLP.predict(row);
    for (int k = 0; k < 10; k++) {
      assertThat(actual[offset + k]).isCloseTo(expected[k], within(1e-4f));
    }
  }

  static float[] floats(JsonNode data) {
    float[] out = new float[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) data.get(i).asDouble();
    }
    return out;
  }

  /**
   * Data whose tensor is larger than its JSON text (FP32 zeros written "0,": 4 bytes for 2) is counted on a second
   * parser before allocating; and data sent before the shape and datatype is read once they are known. Both paths must
   * find the data where it is.
   */
  @Test
  void denseDataAndDataBeforeTheShapeDecode() throws Exception {
    int rows = 3;
    String zeros = "0" + ",0".repeat(rows * 784 - 1);
    for (String input :
        new String[] {
          "{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [3, 784], \"data\": [" + zeros + "]}",
          "{\"data\": [" + zeros + "], \"shape\": [3, 784], \"name\": \"input\", \"datatype\": \"FP32\"}",
          "{\"name\": \"input\", \"data\": " + nestedZeros(rows) + ", \"datatype\": \"FP32\", \"shape\": [3, 784]}"
        }) {
      HttpResponse<byte[]> r = f.post("/v2/models/mlp/infer", "{\"inputs\": [" + input + "]}");
      assertThat(r.statusCode()).as(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(200);
      float[] logits = floats(json(r).get("outputs").get(0).get("data"));
      for (int i = 0; i < rows; i++) {
        assertLogits(logits, i * 10, new float[784]);
      }
    }
  }

  private static String nestedZeros(int rows) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < rows; i++) {
      sb.append(i == 0 ? "[" : ",[").append("0").append(",0".repeat(783)).append("]");
    }
    return sb.append("]").toString();
  }

  @Test
  void healthAndServerMetadataAnswer() throws Exception {
    assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
    assertThat(f.get("/v2/health/ready").statusCode()).isEqualTo(200);
    JsonNode meta = json(f.get("/v2"));
    assertThat(meta.get("name").asText()).isEqualTo("kiln");
    assertThat(meta.get("extensions").toString()).contains("binary_tensor_data", "model_repository");
    assertThat(f.get("/v2/").statusCode()).isEqualTo(200);
  }

  @Test
  void modelMetadataComesFromTheOnnxGraph() throws Exception {
    JsonNode m = json(f.get("/v2/models/mlp"));
    assertThat(m.get("platform").asText()).isEqualTo("onnxruntime_onnx");
    assertThat(m.get("versions").toString()).isEqualTo("[\"1\"]");
    assertThat(m.get("inputs").get(0).toString())
        .isEqualTo("{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,784]}");
    assertThat(f.get("/v2/models/mlp/versions/1/ready").statusCode()).isEqualTo(200);
    assertThat(f.get("/v2/models/nope/ready").statusCode()).isEqualTo(404);
  }

  @Test
  void jsonInferenceReturnsTheModelsNumbersForFlatAndNestedData() throws Exception {
    for (boolean nested : new boolean[] {false, true}) {
      HttpResponse<byte[]> r = f.post("/v2/models/mlp/infer", mlpRequest(nested, row(1), row(2)).toString());
      assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
      JsonNode body = json(r);
      assertThat(body.get("id").asText()).isEqualTo("req-1");
      assertThat(body.get("model_name").asText()).isEqualTo("mlp");
      assertThat(body.get("model_version").asText()).isEqualTo("1");
      JsonNode out = body.get("outputs").get(0);
      assertThat(out.get("name").asText()).isEqualTo("logits");
      assertThat(out.get("shape").toString()).isEqualTo("[2,10]");
      float[] y = floats(out.get("data"));
      assertLogits(y, 0, row(1));
      assertLogits(y, 10, row(2));
    }
    assertThat(f.post("/v2/models/mlp/versions/1/infer", mlpRequest(false, row(3)).toString()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void binaryTensorExtensionCarriesInputsAndOutputs() throws Exception {
    ObjectNode req = JSON.createObjectNode();
    ObjectNode in = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
    in.putArray("shape").add(1).add(784);
    in.putObject("parameters").put("binary_data_size", 784 * 4);
    req.putArray("outputs").addObject().put("name", "logits").putObject("parameters").put("binary_data", true);
    byte[] header = req.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(header.length + 784 * 4).order(ByteOrder.LITTLE_ENDIAN);
    body.put(header);
    for (float v : row(4)) {
      body.putFloat(v);
    }
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/mlp/infer",
            body.array(),
            Map.of(
                "Inference-Header-Content-Length",
                Integer.toString(header.length),
                "Content-Type",
                "application/octet-stream"));
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    int jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    JsonNode meta = JSON.readTree(new String(r.body(), 0, jsonLength, StandardCharsets.UTF_8));
    assertThat(meta.get("outputs").get(0).get("parameters").get("binary_data_size").asInt()).isEqualTo(40);
    assertThat(meta.get("outputs").get(0).has("data")).isFalse();
    ByteBuffer out = ByteBuffer.wrap(r.body(), jsonLength, 40).order(ByteOrder.LITTLE_ENDIAN);
    float[] y = new float[10];
    out.asFloatBuffer().get(y);
    assertLogits(y, 0, row(4));
  }

  @Test
  void rawBinaryRequestWithZeroHeaderLengthFeedsTheOnlyInput() throws Exception {
    ByteBuffer body = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : row(5)) {
      body.putFloat(v);
    }
    HttpResponse<byte[]> r =
        f.post("/v2/models/mlp/infer", body.array(), Map.of("Inference-Header-Content-Length", "0"));
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    int jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    float[] y = new float[10];
    ByteBuffer.wrap(r.body(), jsonLength, 40).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(y);
    assertLogits(y, 0, row(5));
  }

  @Test
  void gzipRequestAndResponseBodiesAreHandled() throws Exception {
    float[][] rows = new float[8][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = row(60 + i); // 8 rows: a response over the 1 KiB compression threshold
    }
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(mlpRequest(false, rows).toString().getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/mlp/infer",
            zipped.toByteArray(),
            Map.of("Content-Encoding", "gzip", "Accept-Encoding", "gzip", "Content-Type", "application/json"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
    byte[] plain = new GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes();
    float[] y = floats(JSON.readTree(plain).get("outputs").get(0).get("data"));
    for (int i = 0; i < rows.length; i++) {
      assertLogits(y, i * 10, rows[i]);
    }
  }

  @Test
  void requestedOutputsFilterTheResponse() throws Exception {
    String req =
        """
        {"inputs": [
          {"name": "a", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
          {"name": "b", "datatype": "FP32", "shape": [1, 4], "data": [[10, 20, 30, 40]]}],
         "outputs": [{"name": "diff"}]}\
        """;
    JsonNode body = json(f.post("/v2/models/add_sub/infer", req));
    assertThat(body.get("outputs")).hasSize(1);
    assertThat(body.get("outputs").get(0).get("name").asText()).isEqualTo("diff");
    assertThat(body.get("outputs").get(0).get("data").toString()).isEqualTo("[-9.0,-18.0,-27.0,-36.0]");
  }

  @Test
  void bytesTensorsTravelAsJsonStringsAndAsLengthPrefixedBinary() throws Exception {
    JsonNode j =
        json(
            f.post(
                "/v2/models/strings/infer",
                """
                {"inputs": [{"name": "input", "datatype": "BYTES", "shape": [1, 2], "data": ["héllo", "wörld"]}]}\
                """));
    assertThat(j.get("outputs").get(0).get("data").toString()).isEqualTo("[\"héllo\",\"wörld\"]");

    byte[] a = "abc".getBytes(StandardCharsets.UTF_8);
    byte[] header =
        ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"BYTES\", \"shape\": [1, 2],"
                + " \"parameters\": {\"binary_data_size\": "
                + (8 + a.length)
                + "}}],"
                + " \"parameters\": {\"binary_data_output\": true}}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(header.length + 8 + a.length).order(ByteOrder.LITTLE_ENDIAN);
    body.put(header).putInt(a.length).put(a).putInt(0);
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/strings/infer",
            body.array(),
            Map.of("Inference-Header-Content-Length", Integer.toString(header.length)));
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    int jl = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    ByteBuffer out = ByteBuffer.wrap(r.body(), jl, r.body().length - jl).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(out.getInt()).isEqualTo(3);
    byte[] got = new byte[3];
    out.get(got);
    assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("abc");
    assertThat(out.getInt()).isZero();
  }

  @Test
  void fp16TravelsAsBinaryAndAsJsonNumbers() throws Exception {
    byte[] header =
        ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP16\", \"shape\": [1, 2],"
                + " \"parameters\": {\"binary_data_size\": 4}}]}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    body.put(header).putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.25f));
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/half/infer",
            body.array(),
            Map.of("Inference-Header-Content-Length", Integer.toString(header.length)));
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    assertThat(json(r).get("outputs").get(0).get("data").toString()).isEqualTo("[1.5,-0.25]");
  }

  @Test
  void repositoryIndexReportsTheBrokenModelWithItsReason() throws Exception {
    HttpResponse<byte[]> r = f.post("/v2/repository/index", "{}");
    JsonNode broken = null;
    for (JsonNode e : json(r)) {
      if (e.get("name").asText().equals("broken")) {
        broken = e;
      }
    }
    assertThat(broken).isNotNull();
    assertThat(broken.get("state").asText()).isEqualTo("UNAVAILABLE");
    assertThat(broken.get("reason").asText()).contains("not a valid ONNX model").doesNotContain(root.toString());
    assertThat(json(f.post("/v2/repository/index", "{\"ready\": true}")).toString()).doesNotContain("broken");
  }

  @Test
  void unloadThenLoadChangesWhatIsServed() throws Exception {
    assertThat(f.post("/v2/repository/models/add_sub/unload", "").statusCode()).isEqualTo(200);
    assertThat(f.get("/v2/models/add_sub/ready").statusCode()).as("known but not ready").isEqualTo(503);
    HttpResponse<byte[]> gone =
        f.post(
            "/v2/models/add_sub/infer",
            """
            {"inputs": [{"name": "a", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
                        {"name": "b", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}\
            """);
    assertThat(gone.statusCode()).isIn(404, 503);
    assertThat(json(gone).get("error").asText()).contains("add_sub");
    assertThat(f.post("/v2/repository/models/add_sub/load", "").statusCode()).isEqualTo(200);
    assertThat(f.get("/v2/models/add_sub/ready").statusCode()).isEqualTo(200);
    HttpResponse<byte[]> failed = f.post("/v2/repository/models/broken/load", "");
    assertThat(failed.statusCode()).isEqualTo(400);
    assertThat(json(failed).get("error").asText()).contains("failed to load 'broken'");
    assertThat(f.post("/v2/repository/models/nothere/load", "").statusCode()).isEqualTo(404);
  }

  @Test
  void statisticsAndConfigDescribeTheModel() throws Exception {
    f.post("/v2/models/mlp/infer", mlpRequest(false, row(7)).toString());
    JsonNode stats = json(f.get("/v2/models/mlp/stats")).get("model_stats").get(0);
    assertThat(stats.get("inference_count").asLong()).isPositive();
    assertThat(stats.get("inference_stats").get("success").get("count").asLong()).isPositive();
    JsonNode config = json(f.get("/v2/models/mlp/config"));
    assertThat(config.get("max_batch_size").asInt()).isEqualTo(8);
    assertThat(config.get("input").get(0).get("dims").toString()).isEqualTo("[784]");
    assertThat(config.get("input").get(0).get("data_type").asText()).isEqualTo("TYPE_FP32");
  }

  @Test
  void metricsExposeRequestCountsPerModel() throws Exception {
    f.post("/v2/models/mlp/infer", mlpRequest(false, row(8)).toString());
    String text = new String(f.get("/metrics").body(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains("kiln_inference_requests_total{model=\"mlp\",outcome=\"success\",version=\"1\"}")
        .contains("kiln_inference_queue_duration_seconds_bucket")
        .contains("kiln_inference_compute_duration_seconds_count")
        .contains("kiln_inference_batch_size_rows_bucket")
        .contains("kiln_inference_pending_requests");
  }
}
