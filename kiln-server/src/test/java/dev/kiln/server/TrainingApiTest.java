package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.training.data.SampleData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Training as a service over real HTTP: upload, train, watch, evaluate, deploy, infer. */
class TrainingApiTest extends TrainingApiFixture {
  static final String MLP =
      """
      type: sequential
      layers:
        - {type: dense, units: 32, activation: relu}
        - {type: dense, units: 10, activation: softmax}
      optimizer: {name: adam, learning_rate: 0.01}
      loss: sparse_categorical_crossentropy
      """;
  static final String DIGITS_CSV = digits();

  static String digits() {
    try (var in = new GZIPInputStream(SampleData.digitsCsv())) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  String jobRequest(int epochs) throws Exception {
    ObjectNode req = JSON.createObjectNode().put("dataset", "digits").put("model", MLP);
    req.putObject("training").put("epochs", epochs).put("batch_size", 32);
    return req.toString();
  }

  /** Reads a job's event stream until the server ends it; returns (event, data) pairs. */
  List<Map.Entry<String, JsonNode>> events(long id, java.util.function.Predicate<String> onEvent) throws Exception {
    HttpResponse<java.io.InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/api/v1/jobs/" + id + "/events"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String event = null;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          out.add(Map.entry(event, JSON.readTree(line.substring(6))));
          if (!onEvent.test(event)) {
            break;
          }
        }
      }
    }
    return out;
  }

  @Test
  void trainsWatchesDeploysAndServesADigitsClassifier() throws Exception {
    JsonNode dataset = ok(send("POST", "/api/v1/datasets/digits?label=digit", DIGITS_CSV), 201);
    assertThat(dataset.get("version").asInt()).isEqualTo(1);
    JsonNode job = ok(send("POST", "/api/v1/jobs", jobRequest(8)), 202);
    long id = job.get("id").asLong();
    assertThat(job.get("state").asText()).isIn("QUEUED", "RUNNING");

    List<Map.Entry<String, JsonNode>> events = events(id, e -> true);
    assertThat(events.get(0).getKey()).isEqualTo("state");
    assertThat(events)
        .filteredOn(e -> e.getKey().equals("epoch"))
        .extracting(e -> e.getValue().get("epoch").asInt())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(events).anyMatch(e -> e.getKey().equals("step") && e.getValue().get("eta_seconds") != null);
    Map.Entry<String, JsonNode> last = events.get(events.size() - 1);
    assertThat(last.getKey()).isEqualTo("state");
    assertThat(last.getValue().get("state").asText()).as(last.getValue().toString()).isEqualTo("SUCCEEDED");

    JsonNode done = ok(send("GET", "/api/v1/jobs/" + id, null), 200);
    double accuracy = done.at("/evaluation/accuracy").asDouble();
    assertThat(accuracy).isGreaterThan(0.9);
    assertThat(done.at("/evaluation/confusion")).hasSize(10);
    assertThat(done.at("/lineage/dataset/sha256").asText()).isEqualTo(dataset.get("sha256").asText());
    assertThat(done.at("/lineage/artifact_sha256").asText()).hasSize(64);
    assertThat(done.get("history")).hasSize(8);
    assertStepsAreTheStreamedSteps(done, events);
    JsonNode listed = ok(send("GET", "/api/v1/jobs", null), 200).get(0);
    assertThat(listed.get("id").asLong()).isEqualTo(id);
    assertThat(listed.get("history")).as("a listing keeps the epochs").hasSize(8);
    assertThat(listed.path("steps")).as("but not the step losses: the job itself has them").isEmpty();
    assertSplitsAreTheEvaluatedRows(id, done);

    JsonNode deployed = ok(send("POST", "/api/v1/jobs/" + id + "/deploy", "{\"name\":\"digits\"}"), 201);
    assertThat(deployed.get("version").asText()).isEqualTo("1");
    JsonNode record = JSON.readTree(repo.resolve("digits/1/kiln-lineage.json").toFile());
    assertThat(record.get("job").asLong()).isEqualTo(id);
    assertThat(record.at("/lineage/dataset/sha256").asText()).isEqualTo(dataset.get("sha256").asText());
    assertThat(record.at("/evaluation/accuracy").asDouble()).isEqualTo(accuracy);
    assertThat(ok(send("GET", "/v2/models/digits/versions/1/ready", null), 200).get("ready").asBoolean()).isTrue();
    // The trained model names its raw columns, in the CSV's order, as its input's parameters.columns.
    JsonNode columns = ok(send("GET", "/v2/models/digits", null), 200).at("/inputs/0/parameters/columns");
    assertThat(String.join(",", JSON.convertValue(columns, String[].class)) + ",digit")
        .isEqualTo(DIGITS_CSV.lines().findFirst().orElseThrow().strip());

    // Raw rows, unscaled, as the CSV has them: the deployed model applies the preprocessing itself.
    String[] rows = DIGITS_CSV.split("\n");
    int n = 200;
    StringBuilder body =
        new StringBuilder(
            "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[" + n + ",64],\"data\":[");
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      String[] cells = rows[i + 1].trim().split(",");
      for (int c = 0; c < 64; c++) {
        body.append(i == 0 && c == 0 ? "" : ",").append(cells[c]);
      }
      labels[i] = Integer.parseInt(cells[64]);
    }
    body.append("]}]}");
    JsonNode result = ok(send("POST", "/v2/models/digits/infer", body.toString()), 200);
    JsonNode classes = null;
    JsonNode probabilities = null;
    for (JsonNode o : result.get("outputs")) {
      if (o.get("name").asText().equals("class")) {
        classes = o.get("data");
      } else if (o.get("name").asText().equals("probabilities")) {
        probabilities = o.get("data");
      }
    }
    int correct = 0;
    for (int i = 0; i < n; i++) {
      correct += classes.get(i).asText().equals(Integer.toString(labels[i])) ? 1 : 0;
      double sum = 0;
      for (int c = 0; c < 10; c++) {
        sum += probabilities.get(i * 10 + c).asDouble();
      }
      assertThat(sum).isCloseTo(1.0, within(1e-4));
    }
    assertThat(correct / (double) n).isGreaterThan(0.9);
    assertThat(ok(send("GET", "/api/v1/jobs/" + id, null), 200).at("/deployments/0/model").asText())
        .isEqualTo("digits");
  }

  /**
   * The job keeps every step the engine reported (a few a second, and each epoch's last; fewer than 500 here), numbered
   * across epochs, with the loss its event carried.
   */
  static void assertStepsAreTheStreamedSteps(JsonNode job, List<Map.Entry<String, JsonNode>> events) {
    Map<Long, Double> kept = new TreeMap<>();
    job.get("steps").forEach(s -> kept.put(s.get("step").asLong(), s.get("loss").asDouble()));
    Map<Long, Double> streamed = new TreeMap<>();
    long total = 0;
    for (Map.Entry<String, JsonNode> e : events) {
      if (e.getKey().equals("step")) {
        JsonNode p = e.getValue();
        long step = (p.get("epoch").asLong() - 1) * p.get("steps").asLong() + p.get("step").asLong();
        streamed.put(step, p.get("loss").asDouble());
        total = p.get("epochs").asLong() * p.get("steps").asLong();
      }
    }
    assertThat(streamed).isNotEmpty();
    assertThat(kept).containsAllEntriesOf(streamed);
    assertThat(kept.keySet()).hasSizeLessThanOrEqualTo((int) total).endsWith(total);
    assertThat(job.get("steps").get(0).get("epoch").asInt()).isEqualTo(1);
  }

  /**
   * The recorded test rows, looked up in the CSV as uploaded, hold exactly the classes the evaluation counted; the
   * three splits are disjoint and cover every row in the default proportions.
   */
  void assertSplitsAreTheEvaluatedRows(long id, JsonNode job) throws Exception {
    JsonNode splits = ok(send("GET", "/api/v1/jobs/" + id + "/splits", null), 200);
    assertThat(splits.get("dataset").asText()).isEqualTo("digits");
    assertThat(splits.get("version").asInt()).isEqualTo(1);
    String[] rows = DIGITS_CSV.strip().split("\n");
    int n = rows.length - 1;
    Set<Integer> seen = new HashSet<>();
    for (String split : List.of("train", "validation", "test")) {
      splits.get(split).forEach(i -> assertThat(seen.add(i.asInt())).as("row %s in two splits", i).isTrue());
    }
    assertThat(seen).hasSize(n).allMatch(i -> i >= 0 && i < n);
    assertThat(splits.get("test")).hasSize((int) Math.round(n * 0.2));
    List<String> classes = new ArrayList<>();
    job.at("/lineage/classes").forEach(c -> classes.add(c.asText()));
    int[] actual = new int[10];
    splits.get("test").forEach(i -> actual[classes.indexOf(rows[i.asInt() + 1].strip().split(",")[64])]++);
    JsonNode confusion = job.at("/evaluation/confusion");
    for (int c = 0; c < 10; c++) {
      int support = 0;
      for (JsonNode count : confusion.get(c)) {
        support += count.asInt();
      }
      assertThat(actual[c]).as("test rows of class %d", c).isEqualTo(support);
    }
    // The rows themselves, for a tool that should not have to index the upload.
    HttpResponse<String> csv = send("GET", "/api/v1/jobs/" + id + "/splits?as=csv&split=test", null);
    assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
    assertThat(csv.headers().firstValue("content-type")).hasValue("text/csv; charset=utf-8");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines).hasSize(splits.get("test").size() + 1);
    assertThat(lines.get(0)).isEqualTo(rows[0].strip());
    for (int k = 0; k < splits.get("test").size(); k++) {
      assertThat(lines.get(k + 1)).isEqualTo(rows[splits.get("test").get(k).asInt() + 1].strip());
    }
    String base = "/api/v1/jobs/" + id + "/splits?as=";
    assertThat(send("GET", base + "csv", null).body()).contains("split: needed with as=csv");
    assertThat(send("GET", base + "csv&split=nope", null).body()).contains("split: 'nope'");
    assertThat(send("GET", base + "xml", null).statusCode()).isEqualTo(400);
  }

  @Test
  void cancellingARunningJobStopsItAndEndsItsStream() throws Exception {
    ok(send("POST", "/api/v1/datasets/digits?label=digit", DIGITS_CSV), 201);
    long id = ok(send("POST", "/api/v1/jobs", jobRequest(500)), 202).get("id").asLong();
    JsonNode[] atCancel = new JsonNode[1];
    List<Map.Entry<String, JsonNode>> events =
        events(
            id,
            e -> {
              if (e.equals("epoch") && atCancel[0] == null) {
                try {
                  atCancel[0] = ok(send("POST", "/api/v1/jobs/" + id + "/cancel", null), 200);
                } catch (Exception x) {
                  throw new AssertionError(x);
                }
              }
              return true;
            });
    assertThat(events.get(events.size() - 1).getValue().get("state").asText()).isEqualTo("CANCELLED");
    // The job stops at its next step: once the cancel is answered, at most the epoch then in progress is
    // recorded, however long the answer took to arrive.
    JsonNode ended = ok(send("GET", "/api/v1/jobs/" + id, null), 200);
    assertThat(ended.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(ended.get("history").size())
        .as("epochs at the cancel: %s", atCancel[0].get("history").size())
        .isLessThanOrEqualTo(atCancel[0].get("history").size() + 1)
        .isLessThan(500);
    assertThat(events).filteredOn(e -> e.getKey().equals("epoch")).hasSize(ended.get("history").size());
    assertThat(send("POST", "/api/v1/jobs/" + id + "/deploy", "{\"name\":\"x\"}").statusCode()).isEqualTo(409);
    assertThat(send("POST", "/api/v1/jobs/" + id + "/cancel", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aRestartedServerResumesTheJobFromItsLastCheckpoint() throws Exception {
    ok(send("POST", "/api/v1/datasets/digits?label=digit", DIGITS_CSV), 201);
    // Far more epochs than can run before close() below stops it: the job is always interrupted mid-run.
    long id = ok(send("POST", "/api/v1/jobs", jobRequest(10_000)), 202).get("id").asLong();
    List<Map.Entry<String, JsonNode>> before = events(id, e -> !e.equals("epoch")); // epoch 1 checkpointed
    JsonNode firstEpoch = before.get(before.size() - 1).getValue();
    kiln.close();
    JsonNode released = JSON.readTree(java.nio.file.Files.readString(data.resolve("jobs/" + id + "/job.json")));
    assertThat(released.get("state").asText()).isEqualTo("QUEUED");
    int checkpointed = released.get("history").size(); // every epoch is checkpointed (checkpoint_every 1)
    assertThat(checkpointed).isGreaterThanOrEqualTo(1);

    kiln = startKiln();
    List<Map.Entry<String, JsonNode>> after = new ArrayList<>();
    events(
            id,
            e -> {
              if (e.equals("epoch")) {
                try {
                  ok(send("POST", "/api/v1/jobs/" + id + "/cancel", null), 200);
                } catch (Exception x) {
                  throw new AssertionError(x);
                }
              }
              return true;
            })
        .forEach(after::add);
    // It resumes after the last checkpoint and never trains an earlier epoch again: the epochs stored before the
    // restart are kept exactly as measured then (a run from scratch would have replaced them).
    assertThat(after)
        .filteredOn(e -> e.getKey().equals("epoch"))
        .allMatch(e -> e.getValue().get("epoch").asInt() > checkpointed);
    JsonNode done = ok(send("GET", "/api/v1/jobs/" + id, null), 200);
    assertThat(done.get("state").asText()).isEqualTo("CANCELLED");
    assertThat(done.get("history"))
        .extracting(h -> h.get("epoch").asInt())
        .containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, done.get("history").size()).boxed().toList());
    assertThat(done.get("history").size()).isGreaterThan(checkpointed);
    assertThat(done.get("history").get(0)).isEqualTo(firstEpoch);
    for (int e = 0; e < checkpointed; e++) {
      assertThat(done.get("history").get(e)).isEqualTo(released.get("history").get(e));
    }
  }

  @Test
  void badRequestsAreRefusedWithTheReason() throws Exception {
    ok(send("POST", "/api/v1/datasets/digits?label=digit", DIGITS_CSV), 201);
    JsonNode noDataset = ok(send("POST", "/api/v1/jobs", "{\"dataset\":\"nope\",\"model\":\"type: sequential\"}"), 400);
    assertThat(noDataset.get("error").asText()).contains("nope");
    String conv =
        "{\"dataset\":\"digits\",\"model\":{\"layers\":[{\"type\":\"conv2d\",\"filters\":4},"
            + "{\"type\":\"dense\",\"units\":10,\"activation\":\"softmax\"}]}}";
    assertThat(ok(send("POST", "/api/v1/jobs", conv), 400).get("error").asText()).contains("layer 1 (conv2d)");
    String mae =
        "{\"dataset\":\"digits\",\"model\":{\"layers\":[{\"type\":\"dense\",\"units\":10}],"
            + "\"optimizer\":\"adam\",\"loss\":{\"name\":\"sparse_categorical_crossentropy\",\"from_logits\":true},"
            + "\"metrics\":[\"accuracy\",\"f1\"]}}";
    assertThat(ok(send("POST", "/api/v1/jobs", mae), 400).get("error").asText())
        .startsWith("metrics: unknown metric 'f1' (allowed: loss, accuracy, acc, sparse_categorical_accuracy,");
    assertThat(
            ok(
                    send(
                        "POST",
                        "/api/v1/jobs",
                        "{\"dataset\":\"digits\",\"model\":{\"layers\":[{\"type\":\"dense\"," + "\"unit\":10}]}}"),
                    400)
                .get("error")
                .asText())
        .contains("units");
    assertThat(ok(send("POST", "/api/v1/jobs", "{\"dataset\":\"digits\",\"modle\":{}}"), 400).get("error").asText())
        .contains("modle");
    assertThat(ok(send("POST", "/api/v1/jobs", "not json"), 400).get("error").asText()).contains("JSON");
    assertThat(
            ok(
                    send(
                        "POST",
                        "/api/v1/jobs",
                        "{\"dataset\":\"digits\",\"model\":\""
                            + MLP.replace("\n", "\\n")
                            + "\",\"training\":{\"epochs\":0}}"),
                    400)
                .get("error")
                .asText())
        .contains("epochs");
    assertThat(ok(send("POST", "/api/v1/jobs", withPreparation("{\"scaling\":\"minmx\"}")), 400).get("error").asText())
        .contains("minmx", "standard, minmax, none");
    assertThat(ok(send("POST", "/api/v1/jobs", withPreparation("{\"missing\":\"avg\"}")), 400).get("error").asText())
        .contains("avg", "error, drop, mean, median, mode");
    assertThat(ok(send("POST", "/api/v1/jobs", withPreparation("{\"scale\":\"minmax\"}")), 400).get("error").asText())
        .contains("'scale'", "scaling");
    assertThat(
            ok(send("POST", "/api/v1/jobs", withPreparation("{\"max_length\":\"long\"}")), 400).get("error").asText())
        .contains("max_length");
    assertThat(ok(send("POST", "/api/v1/jobs", withPreparation("[\"minmax\"]")), 400).get("error").asText())
        .contains("preparation");
    assertThat(ok(send("POST", "/api/v1/jobs", withPreparation("{\"ngrams\":5}")), 400).get("error").asText())
        .contains("ngrams: 5", "1, 2 or 3");
    assertThat(
            ok(send("POST", "/api/v1/jobs", withPreparation("{\"tokenizer\":\"kanji\"}")), 400).get("error").asText())
        .contains("kanji", "auto, words, chars");
    assertThat(
            ok(send("POST", "/api/v1/jobs", "{\"dataset\":\"digits\",\"model\":\"type: ngram_classifier\"}"), 400)
                .get("error")
                .asText())
        .contains("ngram_classifier needs a text dataset");
    assertThat(send("GET", "/api/v1/jobs", null).body()).doesNotContain("minmx", "avg");
    assertThat(send("GET", "/api/v1/jobs/999", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/jobs/999/events", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/jobs/999/splits", null).statusCode()).isEqualTo(404);
    assertThat(send("POST", "/api/v1/datasets/bad?label=nope", DIGITS_CSV).statusCode()).isEqualTo(400);
    assertThat(send("POST", "/api/v1/datasets/..%2Fetc?label=digit", DIGITS_CSV).statusCode()).isEqualTo(404);
    assertThat(send("POST", "/api/v1/datasets/ragged?label=b", "a,b\n1,2\n3\n").statusCode()).isEqualTo(400);
    assertThat(ok(send("GET", "/api/v1/datasets", null), 200)).hasSize(1);
  }

  String withPreparation(String preparation) throws Exception {
    ObjectNode req = (ObjectNode) JSON.readTree(jobRequest(1));
    req.set("preparation", JSON.readTree(preparation));
    return req.toString();
  }
}
