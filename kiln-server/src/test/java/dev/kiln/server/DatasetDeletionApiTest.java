package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.govern.crypto.MasterKeys;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Deleting a dataset version through a governed server removes every byte derived from it from the artifact store (its
 * own artifact and its jobs' splits, checkpoints and models; other datasets' and the served model's stay), answers 409
 * while a served model depends on it unless forced, and leaves the tombstone in the job's lineage; the report says what
 * is stored and who used it; retention deletes expired versions.
 */
class DatasetDeletionApiTest extends GovernanceServerFixture {
  static String line(int rows, int offset) {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < rows; i++) {
      csv.append(i + offset).append(',').append(2 * (i + offset) + 1).append('\n');
    }
    return csv.toString();
  }

  /** The artifact store's keys, as its folder holds them. */
  Set<String> keys() throws Exception {
    Path objects = data.resolve("artifacts/objects");
    try (Stream<Path> files = Files.walk(objects)) {
      Set<String> keys = new HashSet<>();
      files.filter(Files::isRegularFile).forEach(f -> keys.add(objects.relativize(f).toString()));
      return keys;
    }
  }

  /** What {@code action} added to the artifact store. */
  Set<String> added(Set<String> before) throws Exception {
    Set<String> now = keys();
    now.removeAll(before);
    return now;
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r = call("GET", path, null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void deletingAVersionRemovesEveryByteDerivedFromItAndLeavesATombstoneInTheLineage() throws Exception {
    start(false);
    assertThat(call("POST", "/api/v1/datasets/sales?label=y&retention=30d", null, line(40, 0)).statusCode())
        .isEqualTo(201);
    Set<String> sales = keys();
    assertThat(call("POST", "/api/v1/datasets/other?label=y", null, line(40, 5)).statusCode()).isEqualTo(201);
    Set<String> other = added(sales);
    Set<String> before = keys();
    long job = train("sales", 1);
    Set<String> jobFiles = added(before);
    before = keys();
    long otherJob = train("other", 1);
    Set<String> otherJobFiles = added(before);
    assertThat(jobFiles).isNotEmpty(); // splits, checkpoints, model
    before = keys();
    HttpResponse<String> r = call("POST", "/api/v1/jobs/" + job + "/deploy", null, "{\"name\":\"sales\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    Set<String> model = added(before);
    assertThat(model).as("the deployed model's artifact").isNotEmpty();
    assertThat(otherJobFiles).isNotEmpty();

    JsonNode report = get("/api/v1/datasets/sales/versions/1");
    assertThat(report.at("/stored/store").asText()).isEqualTo("artifact_store");
    assertThat(report.at("/stored/encrypted").asBoolean()).isTrue();
    assertThat(report.at("/stored/artifacts").asInt()).isEqualTo(1);
    assertThat(report.at("/stored/format").asText()).isEqualTo("csv");
    assertThat(report.at("/stored/bytes").asLong()).isEqualTo(report.get("size_bytes").asLong()).isPositive();
    assertThat(report.get("retention").asText()).isEqualTo("30d");
    assertThat(Instant.parse(report.get("expires").asText()))
        .isEqualTo(Instant.parse(report.get("created").asText()).plus(Duration.ofDays(30)));
    assertThat(report.get("jobs").toString()).isEqualTo("[" + job + "]");
    assertThat(report.get("models").toString()).isEqualTo("[\"sales:1\"]");
    assertThat(report.has("policy")).isTrue();
    assertThat(get("/api/v1/datasets/other/versions/1").has("retention")).isFalse();

    r = call("DELETE", "/api/v1/datasets/sales/versions/1", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(r.body()).contains("sales:1").contains("force=true");
    assertThat(keys()).containsAll(sales).containsAll(jobFiles);

    r = call("DELETE", "/api/v1/datasets/sales/versions/1?force=true&reason=customer%20asked", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode deleted = JSON.readTree(r.body());
    assertThat(deleted.get("jobs").toString()).isEqualTo("[" + job + "]");
    assertThat(deleted.get("models").toString()).isEqualTo("[\"sales:1\"]");
    Set<String> left = new HashSet<>(other);
    left.addAll(otherJobFiles);
    left.addAll(model);
    assertThat(keys()).as("the dataset's and its job's artifacts are gone; the rest stay").isEqualTo(left);

    JsonNode lineage = get("/api/v1/jobs/" + job);
    assertThat(lineage.at("/dataset_deleted/by").asText()).isEqualTo("anonymous");
    assertThat(lineage.at("/dataset_deleted/reason").asText()).isEqualTo("customer asked");
    assertThat(Instant.parse(lineage.at("/dataset_deleted/at").asText())).isBefore(Instant.now().plusSeconds(1));
    assertThat(lineage.at("/lineage/dataset/sha256").asText()).isEqualTo(report.get("sha256").asText());
    assertThat(get("/api/v1/jobs/" + otherJob).has("dataset_deleted")).isFalse();
    r = call("GET", "/api/v1/jobs/" + job + "/model", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    assertThat(r.body()).contains("deleted with its dataset version");
    assertThat(call("GET", "/api/v1/jobs/" + job + "/splits", null, null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/v1/datasets/sales/versions/1", null, null).statusCode()).isEqualTo(404);
    assertThat(call("DELETE", "/api/v1/datasets/sales/versions/1", null, null).statusCode()).isEqualTo(404);
    // The model keeps serving: its ONNX file holds weights, not rows.
    String infer = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[10]}]}";
    r = call("POST", "/v2/models/sales/infer", null, infer);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void anotherKeysDatasetCannotBeDeletedAndAQueuedJobBlocksItsOwner() throws Exception {
    start(true);
    String alice = key("alice", "train");
    String bob = key("bob", "train");
    assertThat(call("POST", "/api/v1/datasets/mine?label=y", alice, line(20, 0)).statusCode()).isEqualTo(201);
    assertThat(call("DELETE", "/api/v1/datasets/mine/versions/1", bob, null).statusCode()).isEqualTo(404);
    assertThat(call("PATCH", "/api/v1/datasets/mine", bob, "{\"retention\":\"1d\"}").statusCode()).isEqualTo(404);
    HttpResponse<String> r = call("PATCH", "/api/v1/datasets/mine", alice, "{\"retention\":\"7d\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("retention").asText()).isEqualTo("7d");
    assertThat(call("PATCH", "/api/v1/datasets/mine", alice, "{\"retention\":\"soon\"}").statusCode()).isEqualTo(400);
    r = call("PATCH", "/api/v1/datasets/mine", alice, "{\"retention\":null}");
    assertThat(JSON.readTree(r.body()).has("retention")).isFalse();
    assertThat(call("GET", "/api/v1/datasets/mine/versions/1", alice, null).statusCode()).isEqualTo(200);
    r = call("DELETE", "/api/v1/datasets/mine/versions/1", alice, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("deleted_by").asText()).isNotBlank();
    assertThat(call("GET", "/api/v1/datasets/mine/versions/1", alice, null).statusCode()).isEqualTo(404);
  }

  @Test
  void aDatasetScopeLetsAnotherTrainKeyDeleteAndTheTombstoneNamesThatKey() throws Exception {
    start(true);
    String alice = key("alice", "train");
    String carol = key("carol", "train", "dataset:mi*");
    assertThat(call("POST", "/api/v1/datasets/mine?label=y", alice, line(20, 0)).statusCode()).isEqualTo(201);
    String owner =
        JSON.readTree(call("GET", "/api/v1/datasets/mine/versions/1", alice, null).body()).get("created_by").asText();
    HttpResponse<String> r = call("DELETE", "/api/v1/datasets/mine/versions/1?reason=scoped", carol, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("deleted_by").asText()).isNotBlank().isNotEqualTo(owner);
    assertThat(call("GET", "/api/v1/datasets/mine/versions/1", alice, null).statusCode()).isEqualTo(404);
  }

  @Test
  void retentionDeletesExpiredVersionsOnItsOwnAndTheirServedModelsKeepServing() throws Exception {
    SteppedClock stepped = new SteppedClock(Instant.now());
    clock = stepped;
    masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withTraining(TrainingConfig.defaults(data).withRetentionInterval(Duration.ofSeconds(1)))
                .withGovernance(database(GovernanceConfig.defaults(data).withAuth(false).withMasterKey(masterKey))),
            clock);
    Set<String> none = keys();
    for (int v = 0; v < 2; v++) {
      assertThat(call("POST", "/api/v1/datasets/old?label=y&retention=1d", null, line(30, v)).statusCode())
          .isEqualTo(201);
    }
    Set<String> old = added(none);
    assertThat(call("POST", "/api/v1/datasets/kept?label=y", null, line(30, 0)).statusCode()).isEqualTo(201);
    long job = train("old", 1);
    assertThat(call("POST", "/api/v1/jobs/" + job + "/deploy", null, "{\"name\":\"old\"}").statusCode()).isEqualTo(201);
    Thread.sleep(1500);
    assertThat(get("/api/v1/datasets").size()).as("nothing has expired yet").isEqualTo(3);

    stepped.advance(Duration.ofDays(2));
    for (int i = 0; i < 100 && get("/api/v1/datasets").size() > 1; i++) {
      Thread.sleep(100);
    }
    JsonNode left = get("/api/v1/datasets");
    assertThat(left.size()).isEqualTo(1);
    assertThat(left.get(0).get("name").asText()).isEqualTo("kept");
    assertThat(keys()).doesNotContainAnyElementsOf(old);
    JsonNode lineage = get("/api/v1/jobs/" + job);
    assertThat(lineage.at("/dataset_deleted/by").asText()).isEqualTo("retention");
    assertThat(lineage.at("/dataset_deleted/reason").asText()).isEqualTo("retention");
    String infer = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[10]}]}";
    assertThat(call("POST", "/v2/models/old/infer", null, infer).statusCode()).isEqualTo(200);
  }

  long train(String dataset, int version) throws Exception {
    String request =
        "{\"dataset\":\""
            + dataset
            + "\",\"dataset_version\":"
            + version
            + ",\"model\":\"type: linear_regression\",\"training\":{\"epochs\":2}}";
    HttpResponse<String> r = call("POST", "/api/v1/jobs", null, request);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    long id = JSON.readTree(r.body()).get("id").asLong();
    for (int i = 0; i < 1200; i++) {
      String state = get("/api/v1/jobs/" + id).get("state").asText();
      if (!state.matches("QUEUED|RUNNING")) {
        assertThat(state).isEqualTo("SUCCEEDED");
        return id;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " did not finish: " + List.of(id));
  }
}
