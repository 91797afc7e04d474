package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's access proof through a real governed server: a dataset is its uploader's; another {@code train} key cannot
 * read, preview, download or train on it (404, as if absent); a {@code dataset:} scope, by name or glob, lets a key
 * read it and, with {@code train}, train on it; and the audit log names who read which version.
 */
class DatasetAccessServerTest extends GovernanceServerFixture {
  static final String JOB = "{\"dataset\":\"sales\",\"model\":\"type: linear_regression\",\"training\":{\"epochs\":1}}";

  static String csv(int rows) {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int x = 1; x <= rows; x++) {
      csv.append(x).append(',').append(2 * x + 1).append('\n');
    }
    return csv.toString();
  }

  HttpResponse<String> get(String path, String key) throws Exception {
    return call("GET", path, key, (String) null);
  }

  JsonNode audit(String action) throws Exception {
    HttpResponse<String> r = get("/api/v1/audit?action=" + action, admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static String id(String token) {
    return token.substring(5, 17);
  }

  @Test
  void anotherTrainKeyCannotReadPreviewDownloadOrTrainOnADataset() throws Exception {
    start(true);
    String owner = key("owner", "train");
    String other = key("other", "train");
    assertThat(call("POST", "/api/v1/datasets/sales?label=y&task=regression", owner, csv(40)).statusCode())
        .isEqualTo(201);
    assertThat(call("POST", "/api/v1/datasets/mine?label=y&task=regression", other, csv(10)).statusCode())
        .isEqualTo(201);

    for (String path :
        List.of(
            "/api/v1/datasets/sales",
            "/api/v1/datasets/sales/versions/1",
            "/api/v1/datasets/sales/versions/1/data",
            "/api/v1/datasets/sales/versions/1/preview")) {
      HttpResponse<String> r = get(path, other);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(404);
      assertThat(r.body()).as(path).contains("no dataset sales").doesNotContain("owner");
      // Worded as for a dataset that does not exist: existence does not leak.
      HttpResponse<String> absent = get(path.replace("sales", "nothing"), other);
      assertThat(absent.statusCode()).isEqualTo(404);
      assertThat(absent.body()).isEqualTo(r.body().replace("sales", "nothing"));
    }
    assertThat(call("POST", "/api/v1/jobs", other, JOB).statusCode()).isEqualTo(404);
    String validating = JOB.replace("\"sales\"", "\"mine\"").replace("}}", ",\"validation_dataset\":\"sales\"}}");
    HttpResponse<String> asValidation = call("POST", "/api/v1/jobs", other, validating);
    assertThat(asValidation.statusCode()).as(asValidation.body()).isEqualTo(400);
    assertThat(asValidation.body()).contains("training.validation_dataset: no dataset sales");
    String sweep = JOB.replace("}}", "},\"space\":{\"learning_rate\":{\"values\":[0.01,0.1]}}}");
    assertThat(call("POST", "/api/v1/sweeps", other, sweep).statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(get("/api/v1/datasets", other).body()).findValuesAsText("name")).containsOnly("mine");
    // Nothing the other key tried was a read.
    assertThat(audit("dataset.read")).isEmpty();
    assertThat(audit("dataset.preview")).isEmpty();
    assertThat(audit("dataset.use")).isEmpty();

    // The owner reads its own: the bytes as stored, and the first rows.
    HttpResponse<String> data = get("/api/v1/datasets/sales/versions/1/data", owner);
    assertThat(data.statusCode()).as(data.body()).isEqualTo(200);
    assertThat(data.body()).isEqualTo(csv(40));
    assertThat(data.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    assertThat(data.headers().firstValue("content-disposition")).hasValue("attachment; filename=\"sales-v1.csv\"");
    JsonNode preview = JSON.readTree(get("/api/v1/datasets/sales/versions/1/preview?rows=3", owner).body());
    assertThat(preview.get("columns").toString()).isEqualTo("[\"x\",\"y\"]");
    assertThat(preview.get("rows").toString()).isEqualTo("[[\"1\",\"3\"],[\"2\",\"5\"],[\"3\",\"7\"]]");
    assertThat(preview.get("more").asBoolean()).isTrue();
    JsonNode all = JSON.readTree(get("/api/v1/datasets/sales/versions/1/preview?rows=1000", owner).body());
    assertThat(all.get("rows")).hasSize(40);
    assertThat(all.get("more").asBoolean()).isFalse();
    assertThat(get("/api/v1/datasets/sales/versions/1/preview?rows=0", owner).statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/datasets/sales/versions/1/preview?rows=ten", owner).statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/datasets/sales/versions/2/data", owner).statusCode()).isEqualTo(404);

    JsonNode reads = audit("dataset.read");
    assertThat(reads).hasSize(1);
    assertThat(reads.get(0).get("actor").asText()).isEqualTo(id(owner));
    assertThat(reads.get(0).get("target").asText()).isEqualTo("dataset:sales/1");
    assertThat(audit("dataset.preview")).hasSize(2); // the two previews that answered rows
  }

  @Test
  void aDatasetScopeByNameOrGlobGrantsReadingAndWithTrainTraining() throws Exception {
    start(true);
    String owner = key("owner", "train");
    assertThat(call("POST", "/api/v1/datasets/sales?label=y&task=regression", owner, csv(40)).statusCode())
        .isEqualTo(201);
    assertThat(call("POST", "/api/v1/datasets/sales-holdout?label=y&task=regression", owner, csv(12)).statusCode())
        .isEqualTo(201);
    assertThat(call("POST", "/api/v1/datasets/hr?label=y", owner, csv(10)).statusCode()).isEqualTo(201);
    String named = key("named", "train", "dataset:sales");
    String glob = key("glob", "train", "dataset:sales*");
    String readOnly = key("reader", "dataset:sales-*");

    // By name: reads and trains on sales, not on sales-holdout; never adds a version.
    assertThat(get("/api/v1/datasets/sales", named).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/datasets/sales/versions/1/data", named).body()).isEqualTo(csv(40));
    assertThat(get("/api/v1/datasets/sales-holdout/versions/1/data", named).statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(get("/api/v1/datasets", named).body()).findValuesAsText("name")).containsOnly("sales");
    assertThat(call("POST", "/api/v1/datasets/sales?label=y", named, csv(5)).statusCode()).isEqualTo(403);
    HttpResponse<String> job = call("POST", "/api/v1/jobs", named, JOB);
    assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
    long jobId = JSON.readTree(job.body()).get("id").asLong();
    String validating = JOB.replace("}}", ",\"validation_dataset\":\"sales-holdout\"}}");
    assertThat(call("POST", "/api/v1/jobs", named, validating).statusCode()).isEqualTo(400);

    // By glob: both sales datasets, one as validation data, and a sweep; hr stays hidden.
    HttpResponse<String> validated = call("POST", "/api/v1/jobs", glob, validating);
    assertThat(validated.statusCode()).as(validated.body()).isEqualTo(202);
    long validatedId = JSON.readTree(validated.body()).get("id").asLong();
    String sweep = JOB.replace("}}", "},\"space\":{\"learning_rate\":{\"values\":[0.01,0.1,0.3]}}}");
    HttpResponse<String> swept = call("POST", "/api/v1/sweeps", glob, sweep);
    assertThat(swept.statusCode()).as(swept.body()).isEqualTo(201);
    long sweepId = JSON.readTree(swept.body()).get("id").asLong();
    assertThat(get("/api/v1/datasets/hr/versions/1/preview", glob).statusCode()).isEqualTo(404);

    // dataset: alone reads (metadata, bytes, rows) what its glob matches, and nothing else; training needs train.
    assertThat(get("/api/v1/datasets/sales-holdout/versions/1", readOnly).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/datasets/sales-holdout/versions/1/data", readOnly).body()).isEqualTo(csv(12));
    assertThat(get("/api/v1/datasets/sales-holdout/versions/1/preview?rows=2", readOnly).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/datasets/sales/versions/1/data", readOnly).statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/datasets", readOnly).statusCode()).isEqualTo(403);
    assertThat(call("POST", "/api/v1/jobs", readOnly, JOB.replace("\"sales\"", "\"sales-holdout\"")).statusCode())
        .isEqualTo(403);

    // A job's split rows as CSV are a read of the version they come from.
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (JSON.readTree(get("/api/v1/jobs/" + jobId, named).body()).path("state").asText().matches("QUEUED|RUNNING")
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    HttpResponse<String> rows = get("/api/v1/jobs/" + jobId + "/splits?as=csv&split=test", named);
    assertThat(rows.statusCode()).as(rows.body()).isEqualTo(200);

    // Each read in the audit log, by its key, on the version it read.
    List<String> reads = new ArrayList<>();
    audit("dataset.read")
        .forEach(
            e -> reads.add(e.get("actor").asText() + " " + e.get("target").asText() + " " + e.get("detail").asText()));
    assertThat(reads)
        .containsExactlyInAnyOrder(
            id(named) + " dataset:sales/1 " + csv(40).length() + " bytes",
            id(readOnly) + " dataset:sales-holdout/1 " + csv(12).length() + " bytes",
            id(named) + " dataset:sales/1 job " + jobId + " test rows");
    List<String> previews = new ArrayList<>();
    audit("dataset.preview").forEach(e -> previews.add(e.get("actor").asText() + " " + e.get("target").asText()));
    assertThat(previews).containsExactly(id(readOnly) + " dataset:sales-holdout/1");
    List<String> uses = new ArrayList<>();
    audit("dataset.use")
        .forEach(
            e -> uses.add(e.get("actor").asText() + " " + e.get("target").asText() + " " + e.get("detail").asText()));
    assertThat(uses)
        .containsExactlyInAnyOrder(
            id(named) + " dataset:sales/1 job " + jobId,
            id(glob) + " dataset:sales/1 job " + validatedId,
            id(glob) + " dataset:sales-holdout/1 job " + validatedId,
            id(glob) + " dataset:sales/1 sweep " + sweepId);
  }

  @Test
  void aBadDatasetScopeIsRefusedAtKeyCreation() throws Exception {
    start(true);
    for (String scope : List.of("dataset:a/b", "dataset:", "datasets:x", "dataset:sales?")) {
      HttpResponse<String> r = call("POST", "/api/v1/keys", admin, "{\"name\":\"bad\",\"scopes\":[\"" + scope + "\"]}");
      assertThat(r.statusCode()).as(scope + ": " + r.body()).isEqualTo(400);
    }
    HttpResponse<String> ok = call("POST", "/api/v1/keys", admin, "{\"name\":\"ok\",\"scopes\":[\"dataset:s-*\"]}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    assertThat(JSON.readTree(ok.body()).toString()).contains("dataset:s-*");
  }
}
