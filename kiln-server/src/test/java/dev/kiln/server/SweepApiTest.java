package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.data.SampleData;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hyperparameter sweeps through a real server with real training: a learning-rate sweep whose answer is known, its
 * trials listed and compared, the best deployed and served; ownership, audit, refusal and cancel as for jobs.
 */
class SweepApiTest extends GovernanceServerFixture {
  /**
   * Linear regression by plain SGD on y = 2x + 1 + noise, standardised: the mse gradient step contracts the error by |1
   * - 2 lr| per step, so 1e-4 and 1e-3 barely move in 5 epochs of 12 steps, 0.03 to 0.3 converge, 1 oscillates and 3
   * and 10 diverge. The best learning rate is in [0.03, 0.3].
   */
  static final String SWEEP =
      """
      {"dataset": "line", "model": {"type": "linear_regression", "optimizer": "sgd"},
       "training": {"epochs": 5, "batch_size": 16},
       "space": {"learning_rate": {"values": [0.0001, 0.001, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]}}}
      """;

  JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  JsonNode finished(long sweep, String key) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (true) {
      JsonNode s = json(call("GET", "/api/v1/sweeps/" + sweep, key, null), 200);
      if (!s.path("state").asText().matches("QUEUED|RUNNING") || System.nanoTime() > deadline) {
        return s;
      }
      Thread.sleep(250);
    }
  }

  @Test
  void aLearningRateSweepFindsTheKnownGoodRangeAndItsBestIsDeployedAndServed() throws Exception {
    start(true);
    String a = key("trainer-a", "train", "manage:line-*", "invoke:line-*");
    String csv = Files.readString(SampleData.linear(data.resolve("line.csv"), 240, 3));
    json(call("POST", "/api/v1/datasets/line?label=y&task=regression", a, csv), 201);

    JsonNode submitted = json(call("POST", "/api/v1/sweeps", a, SWEEP), 201);
    assertThat(submitted.get("strategy").asText()).isEqualTo("grid");
    assertThat(submitted.at("/objective/metric").asText()).isEqualTo("val_loss");
    assertThat(submitted.at("/objective/direction").asText()).isEqualTo("min");
    assertThat(submitted.get("trials")).hasSize(8);
    long id = submitted.get("id").asLong();

    JsonNode done = finished(id, a);
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    JsonNode trials = done.get("trials");
    double bestLr = trials.get(done.get("best").asInt() - 1).at("/settings/learning_rate").asDouble();
    assertThat(bestLr).as(done.toString()).isBetween(0.03, 0.3);
    double best = done.get("best_value").asDouble();
    // Comparable: every trial's objective and epochs. The tiny rate is far behind; the huge ones diverge, which the
    // engine reports as a failed trial with the reason, and the sweep goes on without them.
    assertThat(trials.get(0).has("objective")).as("the tiny rate's trial: %s", trials.get(0)).isTrue();
    assertThat(trials.get(0).get("objective").asDouble()).isGreaterThan(10 * best);
    for (JsonNode t : trials) {
      if (t.at("/settings/learning_rate").asDouble() >= 3) {
        assertThat(t.get("state").asText()).as(t.toString()).isEqualTo("FAILED");
        assertThat(t.get("error").asText()).contains("lower the learning rate");
        continue;
      }
      assertThat(t.get("state").asText()).as(t.toString()).isEqualTo("SUCCEEDED");
      assertThat(t.get("epochs").asInt()).isBetween(1, 5);
      // The curves: the trial's job has a history with the objective per epoch, and early stopping on it.
      JsonNode job = json(call("GET", "/api/v1/jobs/" + t.get("job").asLong(), a, null), 200);
      assertThat(job.get("history")).hasSize(t.get("epochs").asInt());
      assertThat(job.at("/request/training/early_stopping/monitor").asText()).isEqualTo("val_loss");
      assertThat(job.at("/request/model/optimizer/learning_rate").asDouble())
          .isEqualTo(t.at("/settings/learning_rate").asDouble());
    }
    JsonNode listed = json(call("GET", "/api/v1/sweeps", a, null), 200);
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("best").asInt()).isEqualTo(done.get("best").asInt());
    assertThat(listed.get(0).has("trials")).isFalse(); // a summary; the trials are in GET /api/v1/sweeps/{id}
    assertThat(listed.get(0).at("/trial_counts/total").asInt()).isEqualTo(8);
    assertThat(listed.get(0).at("/trial_counts/succeeded").asInt() + listed.get(0).at("/trial_counts/failed").asInt())
        .isEqualTo(8);
    assertThat(listed.get(0).get("best_job").asLong()).isEqualTo(done.get("best_job").asLong());

    JsonNode deployed = json(call("POST", "/api/v1/sweeps/" + id + "/deploy", a, "{\"name\":\"line-best\"}"), 201);
    assertThat(deployed.get("job").asLong()).isEqualTo(done.get("best_job").asLong());
    assertThat(deployed.get("version").asText()).isEqualTo("1");
    JsonNode predicted = json(call("POST", "/predict/line-best", a, "{\"instances\": [[0.5], [-0.5]]}"), 200);
    assertThat(firstNumber(predicted.at("/predictions/0"))).isCloseTo(2.0, offset(0.2));
    assertThat(firstNumber(predicted.at("/predictions/1"))).isCloseTo(0.0, offset(0.2));
    JsonNode audit = json(call("GET", "/api/v1/audit?action=sweep.deploy", admin, null), 200);
    assertThat(audit.get(0).get("target").asText()).isEqualTo("model:line-best/1");
  }

  @Test
  void sweepsBelongToTheirKeyAreCheckedWholeAndCancelTheirTrials() throws Exception {
    start(true);
    String a = key("trainer-a", "train");
    String b = key("trainer-b", "train");
    String csv = Files.readString(SampleData.linear(data.resolve("line.csv"), 60, 3));
    json(call("POST", "/api/v1/datasets/line?label=y&task=regression", a, csv), 201);

    // One bad trial refuses the sweep, naming the trial and the key, and queues nothing.
    HttpResponse<String> bad =
        call(
            "POST",
            "/api/v1/sweeps",
            a,
            SWEEP.replace("\"learning_rate\"", "\"training.batch_size\"").replace("[0.0001,", "[16, 0.0001,"));
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("error").asText()).startsWith("trial 2 (training.batch_size=1.0E-4): ");
    HttpResponse<String> typo = call("POST", "/api/v1/sweeps", a, SWEEP.replace("\"learning_rate\"", "\"lr\""));
    assertThat(JSON.readTree(typo.body()).get("error").asText()).startsWith("space: unknown key 'lr'");
    assertThat(json(call("GET", "/api/v1/jobs", a, null), 200)).isEmpty();

    // Long-running trials, all at rates that cannot diverge (3.0 and 10.0 do, and a trial that fails before the cancel
    // arrives is FAILED, not CANCELLED).
    String slow =
        SWEEP
            .replace("\"epochs\": 5", "\"epochs\": 500")
            .replace("\"batch_size\": 16", "\"batch_size\": 1")
            .replace("0.1, 0.3, 1.0, 3.0, 10.0", "0.002, 0.003, 0.004, 0.005, 0.006");
    long id = json(call("POST", "/api/v1/sweeps", a, slow), 201).get("id").asLong();
    // Every trial's job names its sweep, its number and its settings, listed and read alone.
    JsonNode jobs = json(call("GET", "/api/v1/jobs", a, null), 200);
    assertThat(jobs).hasSize(8).allSatisfy(j -> assertThat(j.at("/sweep/id").asLong()).isEqualTo(id));
    JsonNode third = json(call("GET", "/api/v1/jobs/" + jobs.get(5).get("id").asLong(), a, null), 200);
    assertThat(third.at("/sweep/trial").asInt()).isEqualTo(3);
    assertThat(third.at("/sweep/settings/learning_rate").asDouble()).isEqualTo(0.03);
    for (String[] route : new String[][] {{"GET", ""}, {"POST", "/cancel"}, {"POST", "/deploy"}}) {
      HttpResponse<String> r = call(route[0], "/api/v1/sweeps/" + id + route[1], b, "{\"name\":\"line-b\"}");
      assertThat(r.statusCode()).as(route[0] + " " + route[1] + ": " + r.body()).isEqualTo(404);
      assertThat(r.body()).contains("no sweep " + id);
    }
    assertThat(json(call("GET", "/api/v1/sweeps", b, null), 200)).isEmpty();
    JsonNode summary = json(call("GET", "/api/v1/sweeps", a, null), 200).get(0);
    assertThat(summary.get("id").asLong()).isEqualTo(id);
    assertThat(summary.has("trials")).isFalse();
    assertThat(summary.at("/trial_counts/total").asInt()).isEqualTo(8);
    assertThat(summary.at("/objective/metric").asText()).isEqualTo("val_loss");
    assertThat(json(call("GET", "/api/v1/sweeps/" + id, admin, null), 200).get("created_by").asText())
        .isEqualTo(a.substring(5, 17));

    json(call("POST", "/api/v1/sweeps/" + id + "/cancel", a, null), 200);
    JsonNode cancelled = finished(id, a);
    assertThat(cancelled.get("state").asText()).as(cancelled.toString()).isEqualTo("CANCELLED");
    for (JsonNode t : cancelled.get("trials")) {
      assertThat(t.get("state").asText()).as(t.toString()).isEqualTo("CANCELLED");
    }
    assertThat(call("POST", "/api/v1/sweeps/" + id + "/deploy", a, "{\"name\":\"line-x\"}").statusCode())
        .isEqualTo(409);
    JsonNode audit = json(call("GET", "/api/v1/audit?action=sweep.cancel", admin, null), 200);
    assertThat(audit.get(0).get("target").asText()).isEqualTo("sweep:" + id);
  }

  private static double firstNumber(JsonNode n) {
    List<JsonNode> todo = new ArrayList<>(List.of(n));
    while (!todo.isEmpty()) {
      JsonNode x = todo.removeFirst();
      if (x.isNumber()) {
        return x.asDouble();
      }
      x.forEach(todo::add);
    }
    throw new AssertionError("no number in " + n);
  }
}
