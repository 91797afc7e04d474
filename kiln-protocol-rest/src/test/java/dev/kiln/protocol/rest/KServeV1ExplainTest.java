package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.JSON;
import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.onnx.ExampleModels;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KServe V1's {@code POST /v1/models/{m}:explain}: the same explanation as the V2 endpoint, V1's request and errors.
 */
class KServeV1ExplainTest {
  static final int FEATURES = ExplainRestTest.FEATURES;

  @TempDir static Path root;
  static RestFixture f;

  @BeforeAll
  static void start() throws Exception {
    ExampleModels.write(root, "carried", 1, ExplainRestTest.carried());
    f = RestFixture.start(root);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static HttpResponse<byte[]> v1(String path, String body) throws Exception {
    return f.post(path, body);
  }

  private static ObjectNode instances(double[] x) {
    ObjectNode req = JSON.createObjectNode();
    ArrayNode row = req.putArray("instances").addArray();
    for (double v : x) {
      row.add(v);
    }
    return req;
  }

  @Test
  void aRowAsInstancesGetsTheSameExplanationAsTheV2Endpoint() throws Exception {
    double[] x = ExplainRestTest.random(new SplittableRandom(9), FEATURES);
    JsonNode v2 =
        json(
            f.post("/v2/models/carried/explain", ExplainRestTest.request("x", new long[] {1, FEATURES}, x).toString()));
    HttpResponse<byte[]> r = v1("/v1/models/carried:explain", instances(x).toString());
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    JsonNode v1 = json(r);
    assertThat(v1.get("explanations")).isEqualTo(v2.get("explanations"));
    assertThat(v1.get("background").get("source").asText()).isEqualTo("model");
    // The row by column name, a version in the path, and the request's own background.
    ObjectNode named = JSON.createObjectNode();
    ObjectNode row = named.putArray("instances").addObject();
    for (int i = 0; i < FEATURES; i++) {
      row.put("c" + i, x[i]);
    }
    assertThat(json(v1("/v1/models/carried/versions/1:explain", named.toString())).get("explanations"))
        .isEqualTo(v2.get("explanations"));
    ObjectNode own = instances(x);
    own.putObject("parameters")
        .putArray("background")
        .addArray()
        .addAll(instances(new double[FEATURES]).withArray("/instances/0"));
    JsonNode answer = json(v1("/v1/models/carried:explain", own.toString()));
    assertThat(answer.get("background").toString()).isEqualTo("{\"source\":\"request\",\"rows\":1}");
  }

  @Test
  void badRequestsGetV1Errors() throws Exception {
    double[] x = new double[FEATURES];
    assertError(v1("/v1/models/nosuch:explain", instances(x).toString()), 404, "nosuch");
    assertError(v1("/v1/models/carried/versions/9:explain", instances(x).toString()), 404, "9");
    assertError(v1("/v1/models/carried:explain", "{\"instances\": []}"), 400, "exactly one row");
    ObjectNode two = instances(x);
    two.withArray("/instances").add(two.withArray("/instances").get(0));
    assertError(v1("/v1/models/carried:explain", two.toString()), 400, "exactly one row");
    assertError(v1("/v1/models/carried:explain", "{\"inputs\": [[1]]}"), 400, "instances");
    assertError(v1("/v1/models/carried:explain", "{\"instances\": 3}"), 400, "instances");
    assertError(v1("/v1/models/carried:explain", "[1, 2"), 400, "");
    assertError(v1("/v1/models/carried:explain", instances(new double[3]).toString()), 400, "");
    ObjectNode many = instances(x);
    many.putObject("parameters").put("samples", 5000);
    assertError(v1("/v1/models/carried:explain", many.toString()), 400, "2048");
    ObjectNode badTarget = instances(x);
    badTarget.putObject("parameters").putArray("targets").add(4);
    assertError(v1("/v1/models/carried:explain", badTarget.toString()), 400, "target 4");
    // The server still answers afterwards.
    assertThat(v1("/v1/models/carried:explain", instances(x).toString()).statusCode()).isEqualTo(200);
  }

  private static void assertError(HttpResponse<byte[]> r, int status, String fragment) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
    JsonNode error = json(r).get("error");
    assertThat(error.isTextual()).as("V1's {\"error\": \"...\"}, not OpenAI's envelope").isTrue();
    assertThat(error.asText()).contains(fragment);
  }
}
