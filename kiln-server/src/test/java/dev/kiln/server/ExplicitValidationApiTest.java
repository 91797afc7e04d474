package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keras's validation_data over HTTP: a second dataset, or a column naming each row's split. */
class ExplicitValidationApiTest extends TrainingApiFixture {

  /** Two classes apart on x; the part column cycles train, train, validation, test. */
  private static String csv(int rows, int offset, boolean part) {
    StringBuilder s = new StringBuilder(part ? "x,z,part,label\n" : "x,z,label\n");
    String[] parts = {"train", "Train", "VALIDATION", "test"};
    for (int i = 0; i < rows; i++) {
      int c = i % 2;
      s.append(c * 4 + (i % 7) * 0.1 + offset).append(',').append(i % 5).append(',');
      s.append(part ? parts[(i / 2) % 4] + "," : "").append(c == 0 ? "no" : "yes").append('\n');
    }
    return s.toString();
  }

  @Test
  void aJobValidatesOnASecondDatasetAndItsSplitsSayWhichRows() throws Exception {
    ok(send("POST", "/api/v1/datasets/main?label=label", csv(80, 0, false)), 201);
    ok(send("POST", "/api/v1/datasets/held?label=label", csv(12, 1, false)), 201);
    ok(send("POST", "/api/v1/datasets/other?label=label", "x,label\n1,no\n2,yes\n"), 201);

    JsonNode conflict = ok(send("POST", "/api/v1/jobs", request("held", 0.2, null)), 400);
    assertThat(conflict.toString()).contains("training.validation_dataset").contains("validation_split 0.2");
    assertThat(ok(send("POST", "/api/v1/jobs", request("other", null, null)), 400).toString())
        .contains("training.validation_dataset: other@1 has columns [x]");
    assertThat(ok(send("POST", "/api/v1/jobs", request("nothing", null, null)), 400).toString())
        .contains("training.validation_dataset: no dataset nothing");

    long id = finished(ok(send("POST", "/api/v1/jobs", request("held", null, null)), 202));
    assertThat(job(id).at("/request/training/validation_dataset").asText()).isEqualTo("held@1");
    JsonNode splits = ok(send("GET", "/api/v1/jobs/" + id + "/splits", null), 200);
    assertThat(splits.at("/validation_dataset/name").asText()).isEqualTo("held");
    assertThat(splits.at("/validation_dataset/version").asInt()).isEqualTo(1);
    assertThat(splits.at("/validation_dataset/rows").asInt()).isEqualTo(12);
    assertThat(splits.get("validation")).hasSize(12);
    assertThat(splits.get("train").size() + splits.get("test").size()).isEqualTo(80);
    String validationCsv = send("GET", "/api/v1/jobs/" + id + "/splits?as=csv&split=validation", null).body();
    assertThat(validationCsv).isEqualTo(csv(12, 1, false));
    assertThat(job(id).get("history").get(0).get("val_loss").isNumber()).isTrue();
    // Two classes: the evaluation carries the ROC curve behind its AUC, from (0, 0) to (1, 1).
    JsonNode roc = job(id).at("/evaluation/roc");
    assertThat(job(id).at("/evaluation/roc_auc").isNumber()).isTrue();
    assertThat(roc.size()).isBetween(2, 200);
    assertThat(roc.get(0).get("fpr").asDouble() + roc.get(0).get("tpr").asDouble()).isZero();
    JsonNode last = roc.get(roc.size() - 1);
    assertThat(List.of(last.get("fpr").asDouble(), last.get("tpr").asDouble())).containsExactly(1.0, 1.0);
    assertThat(last.get("threshold").isNumber()).isTrue();
  }

  @Test
  void aSplitColumnAssignsTheRowsAndIsNotAFeature() throws Exception {
    ok(send("POST", "/api/v1/datasets/parted?label=label", csv(40, 0, true)), 201);
    JsonNode bad = ok(send("POST", "/api/v1/jobs", request(null, null, 0.3)), 400);
    assertThat(bad.toString()).contains("training.split_column");
    long id = finished(ok(send("POST", "/api/v1/jobs", request(null, null, null)), 202));
    JsonNode splits = ok(send("GET", "/api/v1/jobs/" + id + "/splits", null), 200);
    assertThat(splits.get("split_column").asText()).isEqualTo("part");
    assertThat(splits.get("train")).hasSize(20);
    assertThat(splits.get("validation").get(0).asInt()).isEqualTo(4);
    assertThat(splits.get("test").get(0).asInt()).isEqualTo(6);
    assertThat(job(id).at("/lineage/input_shape").toString()).isEqualTo("[2]");
  }

  private static String request(String validationDataset, Double validationSplit, Double testSplit) {
    ObjectNode req = JSON.createObjectNode().put("model", "type: logistic_regression");
    ObjectNode t = req.putObject("training");
    if (validationDataset != null) {
      req.put("dataset", "main");
      t.put("validation_dataset", validationDataset);
    } else {
      req.put("dataset", "parted");
      t.put("split_column", "part");
    }
    if (validationSplit != null) {
      t.put("validation_split", validationSplit);
    }
    if (testSplit != null) {
      t.put("test_split", testSplit);
    }
    return req.toString();
  }

  private long finished(JsonNode submitted) throws Exception {
    long id = submitted.get("id").asLong();
    return succeeded(id, 60);
  }
}
