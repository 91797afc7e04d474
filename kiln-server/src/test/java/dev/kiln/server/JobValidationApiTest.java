package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/jobs/validate}: a submission's checks over HTTP, nothing queued, and where a fault is. */
class JobValidationApiTest extends TrainingApiFixture {
  private static final String TWO_LAYERS =
      "{\"type\":\"sequential\",\"layers\":[{\"type\":\"dense\",\"units\":8},{\"type\":\"dense\",\"units\":%s}]}";

  private static String request(String model) {
    return "{\"dataset\":\"main\",\"model\":" + model + "}";
  }

  @Test
  void aValidSpecIsAnsweredValidWithItsPinnedRequestAndQueuesNothing() throws Exception {
    StringBuilder csv = new StringBuilder("x,z,label\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i % 2 * 4 + i % 7 * 0.1).append(',').append(i % 5).append(',').append(i % 2 == 0 ? "no" : "yes");
      csv.append('\n');
    }
    ok(send("POST", "/api/v1/datasets/main?label=label", csv.toString()), 201);

    JsonNode valid = ok(send("POST", "/api/v1/jobs/validate", request("\"type: logistic_regression\"")), 200);
    assertThat(valid.get("valid").asBoolean()).isTrue();
    assertThat(valid.at("/request/dataset_version").asInt()).isEqualTo(1);

    // A broken spec: 400, the submission's own message, and the path of the field at fault.
    JsonNode units = ok(send("POST", "/api/v1/jobs/validate", request(TWO_LAYERS.formatted("0"))), 400);
    assertThat(units.get("error").asText()).isEqualTo("layer 2 (dense): units must be >= 1, got 0");
    assertThat(units.get("path").asText()).isEqualTo("model.layers[1].units");
    JsonNode submitted = ok(send("POST", "/api/v1/jobs", request(TWO_LAYERS.formatted("0"))), 400);
    assertThat(submitted).isEqualTo(units);

    JsonNode typo = ok(send("POST", "/api/v1/jobs/validate", request(TWO_LAYERS.formatted("2, \"unitz\": 3"))), 400);
    assertThat(typo.get("error").asText()).contains("unknown field 'unitz'");
    assertThat(typo.get("path").asText()).isEqualTo("model.layers[1].unitz");
    JsonNode yaml =
        ok(send("POST", "/api/v1/jobs/validate", request("\"type: logistic_regression\\noptimizer: {lr: 1}\"")), 400);
    assertThat(yaml.get("path").asText()).isEqualTo("model.optimizer.lr");
    String epochs = "{\"dataset\":\"main\",\"model\":\"type: logistic_regression\",\"training\":{\"epochs\":0}}";
    assertThat(ok(send("POST", "/api/v1/jobs/validate", epochs), 400).get("path").asText())
        .isEqualTo("training.epochs");
    String held =
        "{\"dataset\":\"main\",\"model\":\"type: logistic_regression\",\"training\":{\"validation_dataset\":\"x\"}}";
    assertThat(ok(send("POST", "/api/v1/jobs/validate", held), 400).get("path").asText())
        .isEqualTo("training.validation_dataset");
    JsonNode missing =
        ok(
            send("POST", "/api/v1/jobs/validate", "{\"dataset\":\"nothing\",\"model\":\"type: logistic_regression\"}"),
            400); // as a submission answers it
    assertThat(missing.get("path").asText()).isEqualTo("dataset");
    assertThat(ok(send("POST", "/api/v1/jobs/validate", "{not json"), 400).has("path")).isFalse();

    // None of those made a job: the first real one is job 1.
    assertThat(ok(send("POST", "/api/v1/jobs", request("\"type: logistic_regression\"")), 202).get("id").asLong())
        .isEqualTo(1);
  }
}
