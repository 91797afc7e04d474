package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.MLP;
import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.onnx.ExampleModels;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictServiceTest {
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

  private static String list(float[] row) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < row.length; i++) {
      sb.append(i == 0 ? "" : ",").append(row[i]);
    }
    return sb.append(']').toString();
  }

  private static int argmax(float[] y) {
    int best = 0;
    for (int i = 1; i < y.length; i++) {
      best = y[i] > y[best] ? i : best;
    }
    return best;
  }

  /** Every row's prediction is the plain-Java model's answer for that row, and its class the argmax of it. */
  private static void assertPredicts(JsonNode body, float[]... rows) {
    assertThat(body.get("predictions")).hasSize(rows.length);
    assertThat(body.get("classes")).hasSize(rows.length);
    for (int r = 0; r < rows.length; r++) {
      float[] expected = MLP.predict(rows[r]);
      JsonNode row = body.get("predictions").get(r);
      assertThat(row).as("row %d", r).hasSize(expected.length);
      for (int k = 0; k < expected.length; k++) {
        assertThat((float) row.get(k).asDouble()).as("row %d, logit %d", r, k).isCloseTo(expected[k], within(1e-4f));
      }
      assertThat(body.get("classes").get(r).asInt()).as("class of row %d", r).isEqualTo(argmax(expected));
    }
  }

  @Test
  void instancesGetOnePredictionPerRowWithClasses() throws Exception {
    float[] a = ExampleModels.Mlp.randomRow(784, 11);
    float[] b = ExampleModels.Mlp.randomRow(784, 12);
    float[] c = ExampleModels.Mlp.randomRow(784, 15);
    HttpResponse<byte[]> r =
        f.post("/predict/mlp", "{\"instances\": [" + list(a) + "," + list(b) + "," + list(c) + "]}");
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    assertPredicts(json(r), a, b, c);
  }

  @Test
  void aFlatListUnderAnyKeyIsReshapedLikeNumpy() throws Exception {
    float[] a = ExampleModels.Mlp.randomRow(784, 13);
    float[] b = ExampleModels.Mlp.randomRow(784, 14);
    float[] both = Arrays.copyOf(a, 784 * 2);
    System.arraycopy(b, 0, both, 784, 784);
    HttpResponse<byte[]> r = f.post("/predict/mlp", "{\"x\": " + list(both) + "}");
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    assertPredicts(json(r), a, b);
  }

  @Test
  void severalInputsAndOutputsUseObjectsPerRow() throws Exception {
    JsonNode body =
        json(
            f.post(
                "/predict/add_sub",
                "{\"instances\": [{\"a\": [1,2,3,4], \"b\": [1,1,1,1]}, {\"a\": [0,0,0,0], \"b\": [2,2,2,2]}]}"));
    assertThat(body.get("predictions")).hasSize(2);
    assertThat(body.get("predictions").get(0).toString())
        .isEqualTo("{\"sum\":[2.0,3.0,4.0,5.0],\"diff\":[0.0,1.0,2.0,3.0]}");
    assertThat(body.get("predictions").get(1).toString())
        .isEqualTo("{\"sum\":[2.0,2.0,2.0,2.0],\"diff\":[-2.0,-2.0,-2.0,-2.0]}");
  }

  @Test
  void withoutAModelNameAndSeveralModelsTheCallerIsToldToNameOne() throws Exception {
    HttpResponse<byte[]> r = f.post("/predict", "{\"x\": [1, 2]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).contains("name one");
  }

  @Test
  void rowsThatDoNotFillTheInputAreABadRequest() throws Exception {
    HttpResponse<byte[]> r = f.post("/predict/mlp", "{\"x\": [1, 2, 3]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).contains("input 'input'");
  }
}
