package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.onnx.ExampleModels;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Batch scoring through a real governed server: {@code /api/v1/scoring-jobs} submitted, followed, listed, downloaded
 * and cancelled with keys; bad submissions refused with the field named, others' jobs unseen. {@link
 * GovernanceOnPostgresqlTest} runs it again on PostgreSQL.
 */
class ScoringServerTest extends GovernanceServerFixture {
  private static final String JOBS = "/api/v1/scoring-jobs";

  /** {@code tabular} pushed as {@code tab}: score = age + 10 income + 100 height. */
  private void pushTabular() throws Exception {
    HttpResponse<String> r = callBytes("POST", "/api/v1/models/tab/versions", admin, ExampleModels.tabular());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  static String people(int rows) {
    SplittableRandom r = new SplittableRandom(7);
    StringBuilder b = new StringBuilder("id,age,income,height,city,label\n");
    for (int i = 0; i < rows; i++) {
      b.append("c-").append(i).append(',').append(r.nextInt(18, 90)).append(',').append(r.nextInt(0, 400) / 8.0);
      b.append(',').append(r.nextInt(140, 210) / 100.0).append(',').append(i % 3 == 0 ? "Oslo" : "Bergen");
      b.append(',').append(r.nextInt(2)).append('\n');
    }
    return b.toString();
  }

  private JsonNode await(long id, String key, String states) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      JsonNode j = JSON.readTree(call("GET", JOBS + "/" + id, key, null).body());
      if (j.path("state").asText().matches(states) || System.nanoTime() > deadline) {
        return j;
      }
      Thread.sleep(50);
    }
  }

  @Test
  void aJobScoresAStoredDatasetThroughTheServedModelAndItsPredictionsDownloadAsCsv() throws Exception {
    start(true);
    pushTabular();
    String scorer = key("scorer", "train", "invoke:tab");
    String csv = people(2_345);
    assertThat(call("POST", "/api/v1/datasets/people?label=label", scorer, csv).statusCode()).isEqualTo(201);

    HttpResponse<String> submitted =
        call(
            "POST", JOBS, scorer, "{\"model\":\"tab\",\"dataset\":\"people\",\"batch_size\":100,\"id_column\":\"id\"}");
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    JsonNode job = JSON.readTree(submitted.body());
    assertThat(job.at("/request/dataset_version").asInt()).isEqualTo(1);
    JsonNode done = await(job.get("id").asLong(), scorer, "SUCCEEDED|FAILED|CANCELLED");
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.get("rows_done").asLong()).isEqualTo(2_345);
    assertThat(done.get("rows_total").asLong()).isEqualTo(2_345);
    assertThat(done.get("rows_per_second").asDouble()).isPositive();

    HttpResponse<String> out = call("GET", JOBS + "/" + job.get("id").asLong() + "/output", scorer, null);
    assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
    assertThat(out.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
    List<String> lines = out.body().lines().toList();
    assertThat(lines).hasSize(2_346);
    assertThat(lines.get(0)).isEqualTo("id,score,city");
    List<String> rows = csv.lines().skip(1).toList();
    for (int i = 0; i < rows.size(); i += 97) {
      String[] in = rows.get(i).split(",");
      String[] pred = lines.get(i + 1).split(",");
      assertThat(pred[0]).isEqualTo(in[0]);
      double expected = Double.parseDouble(in[1]) + 10 * Double.parseDouble(in[2]) + 100 * Double.parseDouble(in[3]);
      assertThat(Double.parseDouble(pred[1])).isCloseTo(expected, within(1e-3));
      assertThat(pred[2]).isEqualTo(in[4]);
    }

    HttpResponse<String> list = call("GET", JOBS + "?limit=10", scorer, null);
    assertThat(JSON.readTree(list.body())).hasSize(1);
    assertThat(list.headers().firstValue("x-total-count")).contains("1");
    HttpResponse<String> events = call("GET", JOBS + "/" + job.get("id").asLong() + "/events", scorer, null);
    assertThat(events.body()).startsWith("event: progress\ndata: ").contains("\"state\":\"SUCCEEDED\"");
    JsonNode audit = JSON.readTree(call("GET", "/api/v1/audit?action=scoring.submit", admin, null).body());
    assertThat(audit).hasSize(1);
  }

  @Test
  void badSubmissionsAreRefusedNamingTheFieldAndOthersJobsAreUnseen() throws Exception {
    start(true);
    pushTabular();
    push("add_sub");
    String scorer = key("scorer", "train", "invoke:tab", "invoke:add_sub");
    assertThat(call("POST", "/api/v1/datasets/people?label=label", scorer, people(50)).statusCode()).isEqualTo(201);
    String[][] bad = {
      {"{}", "400", "model: missing"},
      {"not json", "400", "not valid JSON"},
      {"{\"model\":\"tab\"}", "400", "dataset: missing"},
      {"{\"model\":\"tab!\",\"dataset\":\"people\"}", "400", "model: 'tab!'"},
      {"{\"model\":\"tab\",\"dataset\":\"people\",\"batch_size\":0}", "400", "batch_size"},
      {"{\"model\":\"tab\",\"dataset\":\"people\",\"batch_size\":100000}", "400", "batch_size: 100000"},
      {"{\"model\":\"tab\",\"dataset\":\"people\",\"batchsize\":10}", "400", "batchsize: unknown field"},
      {"{\"model\":\"tab\",\"dataset\":\"people\",\"id_column\":\"nope\"}", "400", "id_column: 'nope'"},
      {"{\"model\":\"tab\",\"dataset\":\"people@0\"}", "400", "dataset"},
      {"{\"model\":\"add_sub\",\"dataset\":\"people\"}", "400", "model: batch scoring needs"},
      {"{\"model\":\"nope\",\"dataset\":\"people\"}", "403", "may not invoke model 'nope'"},
      {"{\"model\":\"tab\",\"dataset\":\"missing\"}", "404", "no dataset missing"},
      {"{\"model\":\"tab\",\"dataset\":\"people@9\"}", "404", "no dataset people version 9"},
    };
    for (String[] b : bad) {
      HttpResponse<String> r = call("POST", JOBS, scorer, b[0]);
      assertThat(r.statusCode()).as(b[0] + ": " + r.body()).isEqualTo(Integer.parseInt(b[1]));
      assertThat(r.body()).as(b[0]).contains(b[2]);
    }
    // An unknown model for a key that may call anything is 404.
    assertThat(call("POST", JOBS, admin, "{\"model\":\"nope\",\"dataset\":\"people\"}").statusCode()).isEqualTo(404);
    // A key scoped to other models: 403; one that may call tab but not read the dataset: 404, as for no dataset.
    String elsewhere = key("elsewhere", "train", "invoke:other-*");
    assertThat(call("POST", JOBS, elsewhere, "{\"model\":\"tab\",\"dataset\":\"people\"}").statusCode()).isEqualTo(403);
    String stranger = key("stranger", "train", "invoke:tab");
    assertThat(call("POST", JOBS, stranger, "{\"model\":\"tab\",\"dataset\":\"people\"}").statusCode()).isEqualTo(404);
    assertThat(call("GET", JOBS, null, null).statusCode()).isEqualTo(401);

    long id =
        JSON.readTree(call("POST", JOBS, scorer, "{\"model\":\"tab\",\"dataset\":\"people\"}").body())
            .get("id")
            .asLong();
    for (String[] route : new String[][] {{"GET", ""}, {"GET", "/output"}, {"GET", "/events"}, {"POST", "/cancel"}}) {
      HttpResponse<String> r = call(route[0], JOBS + "/" + id + route[1], stranger, null);
      assertThat(r.statusCode()).as(route[1] + ": " + r.body()).isEqualTo(404);
    }
    assertThat(JSON.readTree(call("GET", JOBS, stranger, null).body())).isEmpty();
    assertThat(JSON.readTree(call("GET", JOBS, admin, null).body())).hasSize(1);
    assertThat(call("GET", JOBS + "?limit=0", scorer, null).statusCode()).isEqualTo(400);
  }

  @Test
  void aQueuedJobIsCancelledAtOnceAndARunningOneAtItsNextBatch() throws Exception {
    start(true);
    pushTabular();
    String scorer = key("scorer", "train", "invoke:tab");
    assertThat(call("POST", "/api/v1/datasets/people?label=label", scorer, people(30_000)).statusCode()).isEqualTo(201);
    // One row per request: slow enough to be caught running. The server runs one scoring job at a time.
    long slow =
        JSON.readTree(call("POST", JOBS, scorer, "{\"model\":\"tab\",\"dataset\":\"people\",\"batch_size\":1}").body())
            .get("id")
            .asLong();
    assertThat(await(slow, scorer, "RUNNING|SUCCEEDED|FAILED").get("state").asText()).isEqualTo("RUNNING");
    long queued =
        JSON.readTree(call("POST", JOBS, scorer, "{\"model\":\"tab\",\"dataset\":\"people\"}").body())
            .get("id")
            .asLong();

    JsonNode q = JSON.readTree(call("POST", JOBS + "/" + queued + "/cancel", scorer, null).body());
    assertThat(q.get("state").asText()).isEqualTo("CANCELLED");
    HttpResponse<String> r = call("POST", JOBS + "/" + slow + "/cancel", scorer, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode end = await(slow, scorer, "SUCCEEDED|FAILED|CANCELLED");
    assertThat(end.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(end.get("rows_done").asLong()).isLessThan(30_000);
    HttpResponse<String> output = call("GET", JOBS + "/" + slow + "/output", scorer, null);
    assertThat(output.statusCode()).isEqualTo(409);
    assertThat(output.body()).contains("is CANCELLED");
  }
}
