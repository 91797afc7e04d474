package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.MLP;
import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.onnx.ExampleModels;
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

  @Test
  void instancesGetOnePredictionPerRowWithClasses() throws Exception {
    float[] a = ExampleModels.Mlp.randomRow(784, 11);
    float[] b = ExampleModels.Mlp.randomRow(784, 12);
    HttpResponse<byte[]> r = f.post("/predict/mlp", "{\"instances\": [" + list(a) + "," + list(b) + "]}");
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.get("predictions")).hasSize(2);
    float[] expected = MLP.predict(b);
    JsonNode second = body.get("predictions").get(1);
    for (int k = 0; k < 10; k++) {
      assertThat((float) second.get(k).asDouble()).isCloseTo(expected[k], within(1e-4f));
    }
    assertThat(body.get("classes").get(0).asInt()).isEqualTo(argmax(MLP.predict(a)));
    assertThat(body.get("classes").get(1).asInt()).isEqualTo(argmax(expected));
  }

  @Test
  void aFlatListUnderAnyKeyIsReshapedLikeNumpy() throws Exception {
    float[] a = ExampleModels.Mlp.randomRow(784, 13);
    float[] b = ExampleModels.Mlp.randomRow(784, 14);
    float[] both = Arrays.copyOf(a, 784 * 2);
    System.arraycopy(b, 0, both, 784, 784);
    JsonNode body = json(f.post("/predict/mlp", "{\"x\": " + list(both) + "}"));
    assertThat(body.get("classes").get(1).asInt()).isEqualTo(argmax(MLP.predict(b)));
  }

  @Test
  void severalInputsAndOutputsUseObjectsPerRow() throws Exception {
    JsonNode body = json(f.post("/predict/add_sub",
        "{\"instances\": [{\"a\": [1,2,3,4], \"b\": [1,1,1,1]}, {\"a\": [0,0,0,0], \"b\": [2,2,2,2]}]}"));
    assertThat(body.get("predictions").get(0).get("sum").toString()).isEqualTo("[2.0,3.0,4.0,5.0]");
    assertThat(body.get("predictions").get(1).get("diff").toString()).isEqualTo("[-2.0,-2.0,-2.0,-2.0]");
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
