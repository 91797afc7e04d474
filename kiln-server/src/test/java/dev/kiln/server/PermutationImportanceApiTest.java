package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A job's evaluation through the API: permutation importance for tabular jobs, none for text. */
class PermutationImportanceApiTest extends TrainingApiFixture {

  private long train(String upload, String csv, String model) throws Exception {
    ok(send("POST", upload, csv), 201);
    String name = upload.substring("/api/v1/datasets/".length(), upload.indexOf('?'));
    ObjectNode req = JSON.createObjectNode().put("dataset", name).put("model", model);
    return succeeded(ok(send("POST", "/api/v1/jobs", req.toString()), 202).get("id").asLong(), 120);
  }

  @Test
  void aRegressionJobRanksItsRawColumnsByTheirDropInR2() throws Exception {
    // y = 4 a - b + noise; c is noise, and the categorical colour (three one-hot features) is noise too.
    Random random = new Random(11);
    StringBuilder csv = new StringBuilder("a,b,c,colour,target\n");
    for (int i = 0; i < 300; i++) {
      double a = random.nextGaussian();
      double b = random.nextGaussian();
      csv.append(a).append(',').append(b).append(',').append(random.nextGaussian()).append(',');
      csv.append(List.of("red", "green", "blue").get(i % 3)).append(',');
      csv.append(4 * a - b + 0.1 * random.nextGaussian()).append('\n');
    }
    long id = train("/api/v1/datasets/plane?label=target&task=regression", csv.toString(), "type: linear_regression");
    JsonNode p = job(id).at("/evaluation/permutation_importance");
    assertThat(p.path("metric").asText()).as(p.toString()).isEqualTo("r2");
    assertThat(p.path("repeats").asInt()).isEqualTo(5);
    assertThat(p.path("seed").asLong()).isEqualTo(42);
    List<String> names = new ArrayList<>();
    p.path("columns").forEach(c -> names.add(c.path("name").asText()));
    // One entry per raw column, colour's one-hot block included once; a outweighs b, which outweighs the noise.
    assertThat(names).hasSize(4).startsWith("a", "b").containsExactlyInAnyOrder("a", "b", "c", "colour");
    assertThat(p.at("/columns/0/importance").asDouble()).isGreaterThan(1);
    assertThat(p.at("/columns/2/importance").asDouble()).isLessThan(0.01);
  }

  @Test
  void aRequestChoosesHowManyShufflesEachColumnGets() throws Exception {
    ok(send("POST", "/api/v1/datasets/line?label=target&task=regression", "x,target\n" + rows()), 201);
    ObjectNode req = JSON.createObjectNode().put("dataset", "line").put("model", "type: linear_regression");
    long id = ok(send("POST", "/api/v1/jobs", req.put("importance_repeats", 2).toString()), 202).get("id").asLong();
    assertThat(job(succeeded(id, 120)).at("/evaluation/permutation_importance/repeats").asInt()).isEqualTo(2);
    assertThat(job(id).at("/request/importance_repeats").asInt()).isEqualTo(2);
    for (String bad : List.of("0", "101", "2.5", "\"5\"")) {
      String body = "{\"dataset\":\"line\",\"model\":\"type: linear_regression\",\"importance_repeats\":" + bad + "}";
      assertThat(ok(send("POST", "/api/v1/jobs", body), 400).toString())
          .as(bad)
          .contains("'importance_repeats' must be an integer from 1 to 100");
    }
  }

  private static String rows() {
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      csv.append(i).append(',').append(2 * i + 1 + i % 3).append('\n');
    }
    return csv.toString();
  }

  @Test
  void aTextJobHasNone() throws Exception {
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < 40; i++) {
      csv.append("the weather is sunny today ").append(i).append(",weather\n");
      csv.append("the model trained on the gpu ").append(i).append(",ml\n");
    }
    long id = train("/api/v1/datasets/words?text=text&label=label", csv.toString(), "type: logistic_regression");
    JsonNode evaluation = job(id).path("evaluation");
    assertThat(evaluation.has("accuracy")).as(evaluation.toString()).isTrue();
    assertThat(evaluation.has("permutation_importance")).isFalse();
  }
}
