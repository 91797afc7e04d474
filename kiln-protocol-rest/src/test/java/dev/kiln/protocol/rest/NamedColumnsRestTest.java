package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.onnx.ExampleModels;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OIP REST inference on a model that names its columns ({@link ExampleModels#tabular()}), one input per column in JSON
 * and in the binary tensor extension: the same outputs as the positional request, and a 400 naming what is wrong.
 */
class NamedColumnsRestTest {
  private static final String POSITIONAL =
      """
      {"inputs": [
        {"name": "features", "datatype": "FP32", "shape": [2, 3], "data": [40, 3.5, 1.5, 7, 0, 2]},
        {"name": "categories", "datatype": "BYTES", "shape": [2, 1], "data": ["Oslo", "Bergen"]}]}
      """;

  @TempDir static Path root;
  private static RestFixture f;
  private static JsonNode expected;

  @BeforeAll
  static void start() throws Exception {
    ExampleModels.write(root, "tabular", 1, ExampleModels.tabular());
    ExampleModels.write(root, "declared", 1, ExampleModels.tabular());
    Files.writeString(
        root.resolve("declared/config.json"),
        """
        {"inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 3]},
                    {"name": "categories", "datatype": "BYTES", "shape": [-1, 1]}]}
        """);
    f = RestFixture.start(root);
    HttpResponse<byte[]> r = f.post("/v2/models/tabular/infer", POSITIONAL);
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    expected = json(r).get("outputs");
    assertThat(expected.at("/0/data")).isEqualTo(json("[225.0, 207.0]"));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void columnsInJsonAnswerAsThePositionalRequest() throws Exception {
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/tabular/infer",
            """
            {"inputs": [
              {"name": "city", "datatype": "BYTES", "shape": [2], "data": ["Oslo", "Bergen"]},
              {"name": "height", "datatype": "FP32", "shape": [2, 1], "data": [[1.5], [2]]},
              {"name": "age", "datatype": "INT64", "shape": [2], "data": [40, 7]},
              {"name": "income", "datatype": "FP64", "shape": [2], "data": [3.5, 0]}]}
            """);
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(json(r).get("outputs")).isEqualTo(expected);
  }

  @Test
  void columnsAsBinaryTensorDataAnswerTheSame() throws Exception {
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    binary.writeBytes(le(16).putLong(40).putLong(7).array());
    binary.writeBytes(le(8).putFloat(3.5f).putFloat(0).array());
    for (String city : new String[] {"Oslo", "Bergen"}) {
      binary.writeBytes(le(4).putInt(city.length()).array());
      binary.writeBytes(city.getBytes(StandardCharsets.UTF_8));
    }
    byte[] header =
        """
        {"inputs": [
          {"name": "age", "datatype": "INT64", "shape": [2], "parameters": {"binary_data_size": 16}},
          {"name": "income", "datatype": "FP32", "shape": [2], "parameters": {"binary_data_size": 8}},
          {"name": "height", "datatype": "FP32", "shape": [2], "data": [1.5, 2]},
          {"name": "city", "datatype": "BYTES", "shape": [2], "parameters": {"binary_data_size": 18}}]}
        """
            .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(header);
    body.writeBytes(binary.toByteArray());
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/tabular/infer",
            body.toByteArray(),
            Map.of("Inference-Header-Content-Length", Integer.toString(header.length)));
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(json(r).get("outputs")).isEqualTo(expected);
  }

  @Test
  void metadataNamesEachInputsColumnsInItsParameters() throws Exception {
    JsonNode m = json(f.get("/v2/models/tabular"));
    assertThat(m.at("/inputs/0/parameters/columns")).isEqualTo(json("[\"age\", \"income\", \"height\"]"));
    assertThat(m.at("/inputs/1/parameters/columns")).isEqualTo(json("[\"city\"]"));
    assertThat(m.at("/outputs/0").has("parameters")).isFalse();
  }

  @Test
  void aConfigThatDeclaresTheInputsKeepsTheModelsColumns() throws Exception {
    JsonNode m = json(f.get("/v2/models/declared"));
    assertThat(m.at("/inputs/0/parameters/columns")).isEqualTo(json("[\"age\", \"income\", \"height\"]"));
    assertThat(m.at("/inputs/1/parameters/columns")).isEqualTo(json("[\"city\"]"));
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/declared/infer",
            """
            {"inputs": [
              {"name": "age", "datatype": "FP32", "shape": [2], "data": [40, 7]},
              {"name": "income", "datatype": "FP32", "shape": [2], "data": [3.5, 0]},
              {"name": "height", "datatype": "FP32", "shape": [2], "data": [1.5, 2]},
              {"name": "city", "datatype": "BYTES", "shape": [2], "data": ["Oslo", "Bergen"]}]}
            """);
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(json(r).get("outputs")).isEqualTo(expected);
  }

  @Test
  void missingUnknownAndUnevenColumnsAreA400NamingThem() throws Exception {
    HttpResponse<byte[]> r =
        f.post(
            "/v2/models/tabular/infer",
            """
            {"inputs": [
              {"name": "age", "datatype": "FP32", "shape": [1], "data": [1]},
              {"name": "colour", "datatype": "FP32", "shape": [1], "data": [1]}]}
            """);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText())
        .isEqualTo("missing column(s) 'income', 'height', 'city'; unknown column(s) 'colour'");
    r =
        f.post(
            "/v2/models/tabular/infer",
            """
            {"inputs": [
              {"name": "age", "datatype": "FP32", "shape": [2], "data": [1, 2]},
              {"name": "income", "datatype": "FP32", "shape": [2], "data": [1, 2]},
              {"name": "height", "datatype": "FP32", "shape": [3], "data": [1, 2, 3]},
              {"name": "city", "datatype": "BYTES", "shape": [2], "data": ["a", "b"]}]}
            """);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).isEqualTo("column 'height' has 3 rows; column 'age' has 2");
  }

  @Test
  void quotedCsvForPredictAnswersAsRowsByInputName() throws Exception {
    HttpResponse<byte[]> positional =
        f.post(
            "/predict/tabular",
            """
            {"instances": [{"features": [40, 3.5, 1.5], "categories": ["Oslo, NO"]},
                           {"features": [7, 0, 2], "categories": ["Bergen \\"West\\""]}]}
            """);
    assertThat(positional.statusCode()).as(new String(positional.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(json(positional).at("/predictions/1/city")).isEqualTo(json("[\"Bergen \\\"West\\\"\"]"));
    String csv = "city,age,income,height\r\n\"Oslo, NO\",40,3.5,1.5\r\n\"Bergen \"\"West\"\"\",7,\"0\",2\r\n";
    assertThat(json(csv(csv)).get("predictions")).isEqualTo(json(positional).get("predictions"));
    HttpResponse<byte[]> bad = csv("city,age,income,height\n\"Oslo\",40,3.5,1.5\n\"Bergen\"x,7,0,2\n");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("error").asText()).startsWith("CSV line 3: text after a closing quote");
  }

  @Test
  void columnarInputsByColumnNameAnswerAsPositionalRows() throws Exception {
    HttpResponse<byte[]> positional =
        f.post(
            "/predict/tabular",
            """
            {"instances": [{"features": [40, 3.5, 1.5], "categories": ["Oslo"]},
                           {"features": [7, 0, 2], "categories": ["Bergen"]}]}
            """);
    assertThat(positional.statusCode()).as(new String(positional.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    HttpResponse<byte[]> columnar =
        f.post(
            "/predict/tabular",
            """
            {"inputs": {"height": [1.5, 2], "city": ["Oslo", "Bergen"], "age": [40, 7], "income": [3.5, 0]}}
            """);
    assertThat(columnar.statusCode()).as(new String(columnar.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(json(columnar).get("predictions")).isEqualTo(json(positional).get("predictions"));
    HttpResponse<byte[]> one =
        f.post("/predict/tabular", "{\"inputs\": {\"age\": 7, \"income\": 0, \"height\": 2, \"city\": \"Bergen\"}}");
    assertThat(json(one).get("predictions")).isEqualTo(json("[" + json(positional).at("/predictions/1") + "]"));
    HttpResponse<byte[]> bad =
        f.post("/predict/tabular", "{\"inputs\": {\"age\": [1], \"income\": [2], \"colour\": [\"red\"]}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("error").asText())
        .isEqualTo("missing column(s) 'height', 'city'; unknown column(s) 'colour'");
    HttpResponse<byte[]> uneven =
        f.post(
            "/predict/tabular",
            "{\"inputs\": {\"age\": [1, 2], \"income\": [1, 2], \"height\": [1], \"city\": [\"a\", \"b\"]}}");
    assertThat(uneven.statusCode()).isEqualTo(400);
    assertThat(json(uneven).get("error").asText())
        .isEqualTo("inputs: column 'height' has 1 values; column 'age' has 2");
  }

  private static HttpResponse<byte[]> csv(String body) throws Exception {
    return f.post("/predict/tabular", body.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "text/csv"));
  }

  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
