package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.JSON;
import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.explain.ExplainRequest;
import dev.kiln.core.explain.Explainer;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.Target;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.onnx.OnnxGraphBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v2/models/{m}/explain on a real server: Kernel SHAP on a linear model, occlusion on a tiny image model. */
class ExplainRestTest {
  static final int FEATURES = 10;
  static final float[] W = {0.5f, -1.25f, 2f, 0.75f, -0.3f, 1.5f, -2.5f, 0.1f, 3f, -0.8f};
  static final float B = 0.7f;

  /** The rows model "carried" declares as its background ({@code kiln.background}), and its column names. */
  static final double[][] CARRIED = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {-1, 0, 0.5, 2, -3, 1, 1, 0, -2, 4}};

  static final String BG = "{\"x\": " + Arrays.deepToString(CARRIED) + "}";
  static final String COLUMNS =
      "{\"x\": [" + String.join(",", IntStream.range(0, FEATURES).mapToObj(i -> "\"c" + i + "\"").toList()) + "]}";

  @TempDir static Path root;
  static RestFixture f;

  @BeforeAll
  static void start() throws Exception {
    ExampleModels.write(root, "linear", 1, linear().toBytes());
    ExampleModels.write(root, "carried", 1, carried());
    // Three linear class scores, listed after their arg-max: the first output is no FP32 score.
    float[] w3 = new float[FEATURES * 3];
    for (int j = 0; j < FEATURES; j++) {
      for (int k = 0; k < 3; k++) {
        w3[j * 3 + k] = W[j] * (k - 1);
      }
    }
    ExampleModels.write(
        root,
        "classes",
        1,
        new OnnxGraphBuilder("classes")
            .input("x", DataType.FP32, -1, FEATURES)
            .output("label", DataType.INT64, -1)
            .output("scores", DataType.FP32, -1, 3)
            .initializer("w", new long[] {FEATURES, 3}, w3)
            .node("MatMul", List.of("x", "w"), List.of("scores"))
            .node("ArgMax", List.of("scores"), List.of("label"), Map.of("axis", 1L, "keepdims", 0L))
            .toBytes());
    // Class 0 scores the whole image lightly; class 1 is the sum of the top-left 4x4 quadrant.
    float[] w = new float[64 * 2];
    for (int p = 0; p < 64; p++) {
      w[p * 2] = 0.01f;
      w[p * 2 + 1] = p / 8 < 4 && p % 8 < 4 ? 1f : 0f;
    }
    ExampleModels.write(
        root,
        "quadrant",
        1,
        new OnnxGraphBuilder("quadrant")
            .input("image", DataType.FP32, -1, 1, 8, 8)
            .output("scores", DataType.FP32, -1, 2)
            .initializer("w", new long[] {64, 2}, w)
            .node("Flatten", List.of("image"), List.of("flat"))
            .node("MatMul", List.of("flat", "w"), List.of("scores"))
            .toBytes());
    f = RestFixture.start(root);
  }

  /** The linear model with column names {@code c0..c9} and two background rows ({@link #CARRIED}) of its own. */
  static byte[] carried() {
    return linear().metadata("kiln.columns", COLUMNS).metadata("kiln.background", BG).toBytes();
  }

  /** y = W·x + B. */
  private static OnnxGraphBuilder linear() {
    return new OnnxGraphBuilder("linear")
        .input("x", DataType.FP32, -1, FEATURES)
        .output("y", DataType.FP32, -1, 1)
        .initializer("w", new long[] {FEATURES, 1}, W)
        .initializer("b", new long[] {1}, new float[] {B})
        .node("MatMul", List.of("x", "w"), List.of("xw"))
        .node("Add", List.of("xw", "b"), List.of("y"));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static double[] random(SplittableRandom r, int n) {
    return IntStream.range(0, n).mapToDouble(i -> r.nextDouble() * 4 - 2).toArray();
  }

  static ObjectNode request(String input, long[] shape, double[] data) {
    ObjectNode req = JSON.createObjectNode();
    ObjectNode in = req.putArray("inputs").addObject().put("name", input).put("datatype", "FP32");
    ArrayNode s = in.putArray("shape");
    for (long d : shape) {
      s.add(d);
    }
    ArrayNode a = in.putArray("data");
    for (double v : data) {
      a.add(v);
    }
    return req;
  }

  static ObjectNode linearRequest(double[] x, double[][] background) {
    ObjectNode req = request("x", new long[] {1, FEATURES}, x);
    ArrayNode bg = req.putObject("parameters").putArray("background");
    for (double[] row : background) {
      ArrayNode r = bg.addArray();
      for (double v : row) {
        r.add(v);
      }
    }
    return req;
  }

  static HttpResponse<byte[]> explain(String model, JsonNode body) throws Exception {
    return f.post("/v2/models/" + model + "/explain", body.toString());
  }

  @Test
  void kernelShapOnALinearModelGivesWeightTimesDistanceFromTheBackgroundMean() throws Exception {
    SplittableRandom r = new SplittableRandom(11);
    double[] x = random(r, FEATURES);
    double[][] background = new double[6][];
    double[] mean = new double[FEATURES];
    for (int i = 0; i < background.length; i++) {
      background[i] = random(r, FEATURES);
      for (int j = 0; j < FEATURES; j++) {
        mean[j] += background[i][j] / background.length;
      }
    }
    long before = inferenceCount("linear");
    HttpResponse<byte[]> resp = explain("linear", linearRequest(x, background));
    assertThat(resp.statusCode()).as(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    JsonNode body = json(resp);
    assertThat(body.get("method").asText()).isEqualTo("kernel_shap");
    assertThat(body.get("output").asText()).isEqualTo("y");
    JsonNode e = body.get("explanations").get(0);
    assertThat(e.get("target").asInt()).isZero();
    double prediction = B;
    for (int j = 0; j < FEATURES; j++) {
      prediction += W[j] * x[j];
    }
    assertThat(e.get("prediction").asDouble()).isCloseTo(prediction, within(1e-4));
    double sum = 0;
    for (int j = 0; j < FEATURES; j++) {
      double phi = e.get("attributions").get(j).asDouble();
      assertThat(phi).as("feature " + j).isCloseTo(W[j] * (x[j] - mean[j]), within(1e-3));
      sum += phi;
    }
    assertThat(sum).isCloseTo(e.get("prediction").asDouble() - e.get("base_value").asDouble(), within(1e-4));
    // Every evaluation went through the core: the model's statistics count them.
    assertThat(inferenceCount("linear") - before).isEqualTo(body.get("evaluations").asLong()).isGreaterThan(1000);
  }

  @Test
  void aModelsOwnBackgroundServesWhenTheRequestSendsNoneAndTheRequestsOverridesIt() throws Exception {
    double[] x = random(new SplittableRandom(5), FEATURES);
    JsonNode body = json(explain("carried", request("x", new long[] {1, FEATURES}, x)));
    assertThat(body.get("background").toString()).isEqualTo("{\"source\":\"model\",\"rows\":2}");
    JsonNode e = body.get("explanations").get(0);
    double base = B;
    for (int j = 0; j < FEATURES; j++) {
      double mean = (CARRIED[0][j] + CARRIED[1][j]) / 2;
      base += W[j] * mean;
      assertThat(e.get("attributions").get(j).asDouble()).isCloseTo(W[j] * (x[j] - mean), within(1e-3));
    }
    assertThat(e.get("base_value").asDouble()).isCloseTo(base, within(1e-4));
    // The declared columns name each attribution, the largest in magnitude first.
    JsonNode named = e.get("features");
    assertThat(named).hasSize(FEATURES);
    for (int k = 0; k < FEATURES; k++) {
      int i = named.get(k).get("index").asInt();
      assertThat(named.get(k).get("name").asText()).isEqualTo("c" + i);
      assertThat(named.get(k).get("attribution").asDouble()).isEqualTo(e.get("attributions").get(i).asDouble());
      if (k > 0) {
        assertThat(Math.abs(named.get(k).get("attribution").asDouble()))
            .isLessThanOrEqualTo(Math.abs(named.get(k - 1).get("attribution").asDouble()));
      }
    }
    JsonNode own = json(explain("carried", linearRequest(x, new double[][] {new double[FEATURES]})));
    assertThat(own.get("background").get("source").asText()).isEqualTo("request");
    assertThat(own.at("/explanations/0/base_value").asDouble()).isCloseTo(B, within(1e-5));
    // A model without columns or rows of its own: no names, and Kernel SHAP still needs the request's rows.
    JsonNode plain = json(explain("linear", linearRequest(x, new double[][] {new double[FEATURES]})));
    assertThat(plain.at("/explanations/0").has("features")).isFalse();
  }

  @Test
  void severalClassesOfANamedOutputEachGetTheirOwnAttributions() throws Exception {
    double[] x = random(new SplittableRandom(3), FEATURES);
    double[][] bg = {random(new SplittableRandom(4), FEATURES), random(new SplittableRandom(5), FEATURES)};
    ObjectNode req = linearRequest(x, bg);
    ((ObjectNode) req.get("parameters")).put("output", "scores").putArray("targets").add(2).add(0);
    JsonNode body = json(explain("classes", req));
    assertThat(body.get("output").asText()).isEqualTo("scores");
    JsonNode list = body.get("explanations");
    assertThat(list).hasSize(2);
    for (int e = 0; e < 2; e++) {
      int k = list.get(e).get("target").asInt();
      assertThat(k).isEqualTo(e == 0 ? 2 : 0);
      for (int j = 0; j < FEATURES; j++) {
        double expected = W[j] * (k - 1) * (x[j] - (bg[0][j] + bg[1][j]) / 2);
        assertThat(list.get(e).get("attributions").get(j).asDouble()).isCloseTo(expected, within(1e-3));
      }
    }
  }

  @Test
  void anOutputThatIsNotAnFp32ScoreOrNotThereIsA400NamingTheOutputs() throws Exception {
    double[] x = new double[FEATURES];
    double[][] bg = {new double[FEATURES]};
    assertError(explain("classes", linearRequest(x, bg)), 400, "name an FP32 one in parameters.output");
    for (Object[] c :
        new Object[][] {
          {"label", "'label' is INT64"}, {"nosuch", "[label, scores]"}, {"", "output's name"}, {7, "output's name"}
        }) {
      ObjectNode req = linearRequest(x, bg);
      ((ObjectNode) req.get("parameters")).set("output", JSON.valueToTree(c[0]));
      assertError(explain("classes", req), 400, (String) c[1]);
    }
    ObjectNode twice = linearRequest(x, bg);
    ((ObjectNode) twice.get("parameters")).put("output", "scores").putArray("targets").add(1).add(1);
    assertError(explain("classes", twice), 400, "target 1 is asked for twice");
    ObjectNode past = linearRequest(x, bg);
    ((ObjectNode) past.get("parameters")).put("output", "scores").putArray("targets").add(3);
    assertError(explain("classes", past), 400, "gives 3 values per row");
  }

  private static long inferenceCount(String model) throws Exception {
    return json(f.get("/v2/models/" + model + "/stats")).get("model_stats").get(0).get("inference_count").asLong();
  }

  @Test
  void occlusionHighlightsTheQuadrantTheScoreReads() throws Exception {
    SplittableRandom r = new SplittableRandom(5);
    double[] image = IntStream.range(0, 64).mapToDouble(i -> 0.5 + r.nextDouble() / 2).toArray();
    ObjectNode req = request("image", new long[] {1, 1, 8, 8}, image);
    req.putObject("parameters").put("patch", 2).putArray("targets").add(1);
    HttpResponse<byte[]> resp = explain("quadrant", req);
    assertThat(resp.statusCode()).as(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    JsonNode body = json(resp);
    assertThat(body.get("method").asText()).isEqualTo("occlusion");
    JsonNode a = body.get("explanations").get(0).get("attributions");
    assertThat(a.size()).isEqualTo(64);
    List<Integer> top =
        IntStream.range(0, 64)
            .boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> a.get(i).asDouble()).reversed())
            .limit(16)
            .toList();
    assertThat(top).allMatch(p -> p / 8 < 4 && p % 8 < 4);
    assertThat(a.get(0).asDouble()).isGreaterThan(1.0); // a 2x2 patch of values >= 0.5
    assertThat(a.get(63).asDouble()).isCloseTo(0.0, within(1e-6));
  }

  @Test
  void badRequestsAreClear4xx() throws Exception {
    double[] x = new double[FEATURES];
    double[][] bg = {new double[FEATURES]};
    assertError(explain("nosuch", linearRequest(x, bg)), 404, "nosuch");
    assertError(explain("linear", request("x", new long[] {1, FEATURES}, x)), 400, "send parameters.background");
    ObjectNode many = linearRequest(x, bg);
    ((ObjectNode) many.get("parameters")).put("samples", 5000);
    assertError(explain("linear", many), 400, "2048");
    ObjectNode twoRows = linearRequest(new double[2 * FEATURES], bg);
    ((ArrayNode) twoRows.get("inputs").get(0).get("shape")).removeAll().add(2).add(FEATURES);
    assertError(explain("linear", twoRows), 400, "one row");
    ObjectNode wrongShape = request("x", new long[] {1, 9}, new double[9]);
    wrongShape
        .putObject("parameters")
        .putArray("background")
        .addArray()
        .add(0)
        .add(0)
        .add(0)
        .add(0)
        .add(0)
        .add(0)
        .add(0)
        .add(0)
        .add(0);
    assertThat(explain("linear", wrongShape).statusCode()).isEqualTo(400);
    ObjectNode wrongType = linearRequest(x, bg);
    ObjectNode typed = ((ObjectNode) wrongType.get("inputs").get(0)).put("datatype", "INT64");
    typed
        .putArray("data")
        .addAll(
            List.of(
                IntStream.range(0, FEATURES)
                    .mapToObj(i -> JSON.getNodeFactory().numberNode(i))
                    .toArray(JsonNode[]::new)));
    assertError(explain("linear", wrongType), 400, "FP32");
    ObjectNode shortBackground = linearRequest(x, new double[][] {new double[3]});
    assertError(explain("linear", shortBackground), 400, "background");
    // The server still answers afterwards.
    assertThat(explain("linear", linearRequest(x, bg)).statusCode()).isEqualTo(200);
  }

  @Test
  void theSampleBoundIsTheCoresSetting() throws Exception {
    OnnxEngine engine = new OnnxEngine();
    try (InferenceCore core =
        new InferenceCore(
            new ModelRepository(root, List.of(engine)),
            List.of(engine),
            EngineOptions.defaults(),
            new InferenceMetrics(new SimpleMeterRegistry()),
            CoreSettings.defaults().withExplainMaxSamples(8))) {
      core.start();
      ExplainRequest req =
          new ExplainRequest(
              Map.of("x", Tensor.ofFloats(new long[] {1, FEATURES}, new float[FEATURES])),
              ExplainRequest.Method.KERNEL_SHAP,
              9,
              new double[][] {new double[FEATURES]},
              new int[0],
              ExplainRequest.DEFAULT_PATCH);
      assertThatThrownBy(() -> new Explainer(core).explain(Target.latest("linear"), req))
          .isInstanceOf(KilnException.class)
          .hasMessageContaining("bound of 8");
    }
  }

  @Test
  void serverMetadataListsTheExtension() throws Exception {
    assertThat(json(f.get("/v2")).get("extensions").toString()).contains("\"explain\"");
  }

  private static void assertError(HttpResponse<byte[]> r, int status, String fragment) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
    assertThat(json(r).get("error").asText()).contains(fragment);
  }
}
