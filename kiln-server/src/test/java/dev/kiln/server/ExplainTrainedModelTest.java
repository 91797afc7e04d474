package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's synthetic proof of Kernel SHAP on a model Kiln trained: ten columns of which only x3 and x7 decide the
 * label; the deployed model (its preprocessing included) is explained row by row over a sample of the training data,
 * and the two deciding columns must have the two largest attributions for at least 95 % of held-out rows.
 */
class ExplainTrainedModelTest extends TrainingApiFixture {
  private static final int COLUMNS = 10;
  private static final int TRAINED = 3000;

  @Test
  void theTwoColumnsThatDecideTheLabelRankFirstForNearlyEveryRow() throws Exception {
    Random random = new Random(7);
    double[][] rows = new double[3100][COLUMNS];
    StringBuilder csv = new StringBuilder();
    IntStream.range(0, COLUMNS).forEach(c -> csv.append('x').append(c).append(','));
    csv.append("label\n");
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < COLUMNS; c++) {
        rows[r][c] = random.nextGaussian();
      }
      if (r < TRAINED) { // the last rows are never uploaded: they are the ones explained
        for (double v : rows[r]) {
          csv.append(v).append(',');
        }
        csv.append(rows[r][3] + rows[r][7] > 0 ? "yes" : "no").append('\n');
      }
    }
    ok(send("POST", "/api/v1/datasets/drivers?label=label", csv.toString()), 201);
    ObjectNode job = JSON.createObjectNode().put("dataset", "drivers").put("model", "type: logistic_regression");
    long id = succeeded(ok(send("POST", "/api/v1/jobs", job.toString()), 202).get("id").asLong(), 120);
    ok(send("POST", "/api/v1/jobs/" + id + "/deploy", "{\"name\":\"drivers\"}"), 201);
    JsonNode input = ok(send("GET", "/v2/models/drivers", null), 200).at("/inputs/0");
    theModelsOwnBackgroundExplainsARequestWithoutOne(id, rows);

    ArrayNode background = JSON.createArrayNode();
    for (int i = 0; i < 20; i++) { // a seeded sample of the data the model learnt from
      ArrayNode b = background.addArray();
      for (double v : rows[i * 150]) {
        b.add(v);
      }
    }
    int explained = 100;
    int topTwoRight = 0;
    int topTwoNamed = 0;
    for (int r = TRAINED; r < TRAINED + explained; r++) { // rows the model never saw
      ObjectNode req = JSON.createObjectNode();
      ObjectNode in =
          req.putArray("inputs").addObject().put("name", input.get("name").asText()).put("datatype", "FP32");
      in.putArray("shape").add(1).add(COLUMNS);
      ArrayNode data = in.putArray("data");
      for (double v : rows[r]) {
        data.add(v);
      }
      req.putObject("parameters").set("background", background);
      req.withObject("parameters").putArray("targets").add(1);
      JsonNode answer = ok(send("POST", "/v2/models/drivers/explain", req.toString()), 200);
      JsonNode named = answer.at("/explanations/0/features"); // the raw columns, largest attribution first
      if (Set.of(named.get(0).get("name").asText(), named.get(1).get("name").asText()).equals(Set.of("x3", "x7"))) {
        topTwoNamed++;
      }
      JsonNode a = answer.at("/explanations/0/attributions");
      List<Integer> ranked =
          IntStream.range(0, COLUMNS)
              .boxed()
              .sorted(Comparator.comparingDouble((Integer c) -> -Math.abs(a.get(c).asDouble())))
              .toList();
      if (List.of(3, 7).containsAll(ranked.subList(0, 2))) {
        topTwoRight++;
      }
    }
    assertThat(topTwoRight).as("rows whose two largest attributions are x3 and x7").isGreaterThanOrEqualTo(95);
    assertThat(topTwoNamed).as("rows whose first two named features are x3 and x7").isEqualTo(topTwoRight);
  }

  /**
   * The exported model carries a seeded sample of its training split ({@code kiln.background}); an explanation that
   * sends no background uses exactly those rows: its base value is the model's mean prediction over them.
   */
  private void theModelsOwnBackgroundExplainsARequestWithoutOne(long job, double[][] uploaded) throws Exception {
    HttpResponse<byte[]> file =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/api/v1/jobs/" + job + "/model"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    JsonNode stored;
    try (OrtSession s = OrtEnvironment.getEnvironment().createSession(file.body())) {
      stored = JSON.readTree(s.getMetadata().getCustomMetadata().get("kiln.background")).get("features");
    }
    assertThat(stored).hasSize(100);
    for (JsonNode row : stored) { // each one of the rows the model was trained on, as uploaded
      assertThat(row).hasSize(COLUMNS);
      boolean found = false;
      for (int r = 0; r < TRAINED && !found; r++) {
        boolean same = true;
        for (int c = 0; c < COLUMNS && same; c++) {
          same = Math.abs(uploaded[r][c] - row.get(c).asDouble()) < 1e-5;
        }
        found = same;
      }
      assertThat(found).as(row.toString()).isTrue();
    }
    ObjectNode infer = JSON.createObjectNode();
    ObjectNode in = infer.putArray("inputs").addObject().put("name", "features").put("datatype", "FP32");
    in.putArray("shape").add(stored.size()).add(COLUMNS);
    ArrayNode data = in.putArray("data");
    stored.forEach(row -> row.forEach(data::add));
    infer.putArray("outputs").addObject().put("name", "probabilities");
    JsonNode p = ok(send("POST", "/v2/models/drivers/infer", infer.toString()), 200).at("/outputs/0/data");
    double mean = 0;
    for (int r = 0; r < stored.size(); r++) {
      mean += p.get(r * 2 + 1).asDouble() / stored.size();
    }

    ObjectNode req = JSON.createObjectNode();
    ObjectNode x = req.putArray("inputs").addObject().put("name", "features").put("datatype", "FP32");
    x.putArray("shape").add(1).add(COLUMNS);
    ArrayNode values = x.putArray("data");
    for (double v : uploaded[TRAINED]) {
      values.add(v);
    }
    req.putObject("parameters").putArray("targets").add(1);
    JsonNode answer = ok(send("POST", "/v2/models/drivers/explain", req.toString()), 200);
    assertThat(answer.get("background").toString()).isEqualTo("{\"source\":\"model\",\"rows\":100}");
    assertThat(answer.at("/explanations/0/base_value").asDouble()).isCloseTo(mean, within(1e-5));
    JsonNode named = answer.at("/explanations/0/features");
    assertThat(List.of(named.get(0).get("name").asText(), named.get(1).get("name").asText()))
        .containsExactlyInAnyOrder("x3", "x7");
  }
}
