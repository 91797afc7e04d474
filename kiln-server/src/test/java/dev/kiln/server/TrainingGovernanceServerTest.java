package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Training under governance, through a real server: the train scope, the audit log, and ownership of jobs and datasets
 * by the key that made them.
 */
class TrainingGovernanceServerTest extends GovernanceServerFixture {
  @Test
  void trainingIsAuditedAndNeedsTheTrainScope() throws Exception {
    start(true);
    String trainer = key("trainer", "train");
    String caller = key("caller", "invoke:*");
    String csv = "x,y\n" + "1,3\n2,5\n3,7\n4,9\n5,11\n6,13\n7,15\n8,17\n9,19\n10,21\n";
    assertThat(call("POST", "/api/v1/datasets/line?label=y", caller, csv).statusCode()).isEqualTo(403);
    HttpResponse<String> added = call("POST", "/api/v1/datasets/line?label=y", trainer, csv);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    JsonNode audit = JSON.readTree(call("GET", "/api/v1/audit?action=dataset.add", admin, (String) null).body());
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).get("actor").asText()).isEqualTo(trainer.substring(5, 17));
    assertThat(audit.get(0).get("target").asText()).isEqualTo("dataset:line/1");
  }

  static String lineCsv() {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int x = 1; x <= 40; x++) {
      csv.append(x).append(',').append(2 * x + 1).append('\n');
    }
    return csv.toString();
  }

  JsonNode finished(long job, String key) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
    while (true) {
      JsonNode j = JSON.readTree(call("GET", "/api/v1/jobs/" + job, key, (String) null).body());
      if (!j.path("state").asText().matches("QUEUED|RUNNING") || System.nanoTime() > deadline) {
        return j;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void jobsAndDatasetsBelongToTheKeyThatMadeThemAndDeployNeedsManageOnTheTarget() throws Exception {
    start(true);
    push("mlp");
    String a = key("trainer-a", "train", "manage:line-*");
    String b = key("trainer-b", "train");
    assertThat(call("POST", "/api/v1/datasets/line?label=y&task=regression", a, lineCsv()).statusCode()).isEqualTo(201);
    // Another key's dataset: unseen (404, so its existence does not leak), not listed, not extended, not trained on.
    assertThat(call("GET", "/api/v1/datasets/line", b, (String) null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/v1/datasets/line/versions/1", b, (String) null).statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(call("GET", "/api/v1/datasets", b, (String) null).body())).isEmpty();
    assertThat(call("POST", "/api/v1/datasets/line?label=y", b, lineCsv()).statusCode()).isEqualTo(403);
    String job = "{\"dataset\":\"line\",\"model\":\"type: linear_regression\",\"training\":{\"epochs\":2}}";
    assertThat(call("POST", "/api/v1/jobs", b, job).statusCode()).isEqualTo(404);

    HttpResponse<String> submitted = call("POST", "/api/v1/jobs", a, job);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    long id = JSON.readTree(submitted.body()).get("id").asLong();
    for (String[] route :
        new String[][] {
          {"GET", ""},
          {"GET", "/events"},
          {"GET", "/model"},
          {"GET", "/splits"},
          {"GET", "/splits?as=csv&split=test"},
          {"POST", "/cancel"},
          {"POST", "/deploy"}
        }) {
      HttpResponse<String> r = call(route[0], "/api/v1/jobs/" + id + route[1], b, "{\"name\":\"line-b\"}");
      assertThat(r.statusCode()).as(route[0] + " " + route[1] + ": " + r.body()).isEqualTo(404);
      assertThat(r.body()).contains("no job " + id);
    }
    assertThat(JSON.readTree(call("GET", "/api/v1/jobs", b, (String) null).body())).isEmpty();

    JsonNode done = finished(id, a);
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    // train alone does not let a key replace a served model: deploy needs manage on the target name.
    HttpResponse<String> hijack = call("POST", "/api/v1/jobs/" + id + "/deploy", a, "{\"name\":\"mlp\"}");
    assertThat(hijack.statusCode()).as(hijack.body()).isEqualTo(403);
    assertThat(hijack.body()).contains("may not manage model 'mlp'");
    assertThat(JSON.readTree(call("GET", "/api/v1/models/mlp", admin, (String) null).body()).get("versions"))
        .hasSize(1);
    HttpResponse<String> own = call("POST", "/api/v1/jobs/" + id + "/deploy", a, "{\"name\":\"line-fit\"}");
    assertThat(own.statusCode()).as(own.body()).isEqualTo(201);

    // Admin sees every key's jobs and datasets.
    assertThat(call("GET", "/api/v1/jobs/" + id, admin, (String) null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/v1/jobs/" + id + "/splits", a, (String) null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/api/v1/jobs/" + id + "/splits", admin, (String) null).statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(call("GET", "/api/v1/jobs", admin, (String) null).body())).hasSize(1);
    assertThat(JSON.readTree(call("GET", "/api/v1/datasets", admin, (String) null).body())).hasSize(1);
    assertThat(JSON.readTree(call("GET", "/api/v1/jobs", a, (String) null).body()).get(0).get("created_by").asText())
        .isEqualTo(a.substring(5, 17));
  }
}
