package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's proof: Kiln's {@code ngram_classifier} against scikit-learn's {@code TfidfVectorizer(analyzer="char",
 * ngram_range=(1, 2))} + {@code LogisticRegression()} on the sentences of the seed articles (Chinese, with English
 * terms and numbers), labelled by article, on the job's recorded split; then the deployed model, fed the raw test
 * sentences over {@code /predict} and OIP, must give the predictions the job's evaluation counted.
 *
 * <p>The articles are not shipped with Kiln (their licence is not stated), so the corpus is made here from a folder of
 * them: {@code -Dkiln.seeds}, else {@code $KILN_SEEDS}, else {@code /work/shared/seeds}; without one the test is
 * skipped. {@code bench/text/seed_corpus.py} writes the same CSV.
 */
class TextClassificationComparisonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[。！？])");
  private static final Pattern HAN = Pattern.compile("\\p{IsHan}");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;
  @TempDir Path work;
  private Kiln kiln;

  @BeforeEach
  void start() throws Exception {
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withTraining(TrainingConfig.defaults(data).withLease(Duration.ofSeconds(2))));
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  @Test
  void ngramClassifierMatchesScikitLearnOnTheSeedArticlesAndServesItsOwnPredictions() throws Exception {
    Path seeds = seeds();
    Assumptions.assumeTrue(Files.isExecutable(PYTHON) && sklearn(), "/usr/bin/python3 with scikit-learn not found");
    List<String[]> rows = sentences(seeds);
    String csv = csv(rows);
    ok(send("POST", "/api/v1/datasets/seeds?text=text&label=label", csv), 201);
    ObjectNode req = JSON.createObjectNode().put("dataset", "seeds").put("model", "type: ngram_classifier");
    req.putObject("training").put("validation_split", 0).put("test_split", 0.3);
    long submitted = System.nanoTime();
    long id = train(req);
    double jobSeconds = (System.nanoTime() - submitted) / 1e9;
    JsonNode job = job(id);
    double kilnAccuracy = job.at("/evaluation/accuracy").asDouble();

    Path csvFile = Files.writeString(work.resolve("seeds.csv"), csv);
    Path splits =
        Files.writeString(work.resolve("splits.json"), send("GET", "/api/v1/jobs/" + id + "/splits", null).body());
    Path script = Path.of(getClass().getResource("/sklearn/compare_text.py").toURI());
    JsonNode sklearn =
        JSON.readTree(last(run(PYTHON.toString(), script.toString(), csvFile.toString(), splits.toString())));
    System.out.printf(
        "seed sentences: %d rows; Kiln ngram_classifier accuracy %.4f, fitted in %.2f s, job done in %.2f s;"
            + " scikit-learn %s%n",
        rows.size(), kilnAccuracy, job.at("/lineage/duration_seconds").asDouble(), jobSeconds, sklearn);
    assertThat(kilnAccuracy)
        .as("Kiln's test accuracy vs scikit-learn's %s", sklearn)
        .isGreaterThanOrEqualTo(sklearn.get("accuracy").asDouble() - 0.02);

    ok(send("POST", "/api/v1/jobs/" + id + "/deploy", "{\"name\":\"seeds\"}"), 201);
    JsonNode testRows = JSON.readTree(Files.readString(splits)).get("test");
    ArrayNode texts = JSON.createArrayNode();
    testRows.forEach(i -> texts.add(rows.get(i.asInt())[0]));
    List<String> classes = new ArrayList<>();
    job.at("/lineage/classes").forEach(c -> classes.add(c.asText()));
    int[][] confusion = new int[classes.size()][classes.size()];
    JsonNode predicted = predictedClasses(texts);
    JsonNode oip = oipClasses(texts);
    for (int k = 0; k < testRows.size(); k++) {
      String actual = rows.get(testRows.get(k).asInt())[1];
      assertThat(oip.get(k).asText()).as("OIP and /predict on test row %d", k).isEqualTo(predicted.get(k).asText());
      confusion[classes.indexOf(actual)][classes.indexOf(predicted.get(k).asText())]++;
    }
    assertThat((JsonNode) JSON.valueToTree(confusion))
        .as("the served model's confusion matrix on the raw test sentences vs the engine's")
        .isEqualTo(job.at("/evaluation/confusion"));
  }

  /** The classes /predict gives, one per text. */
  private JsonNode predictedClasses(ArrayNode texts) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.set("instances", texts);
    JsonNode answer = ok(send("POST", "/predict/seeds", body.toString()), 200);
    JsonNode predictions = answer.get("predictions");
    assertThat(predictions).as(answer.toString()).hasSize(texts.size());
    ArrayNode out = JSON.createArrayNode();
    predictions.forEach(p -> out.add(p.get("class")));
    return out;
  }

  /** The {@code class} output of an OIP REST call on the texts. */
  private JsonNode oipClasses(ArrayNode texts) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode input = body.putArray("inputs").addObject().put("name", "text").put("datatype", "BYTES");
    input.putArray("shape").add(texts.size());
    input.set("data", texts);
    body.putArray("outputs").addObject().put("name", "class");
    return ok(send("POST", "/v2/models/seeds/infer", body.toString()), 200).at("/outputs/0/data");
  }

  /**
   * The seed articles' sentences holding at least 5 Han characters (no code, formulas or short headings), by article.
   */
  static List<String[]> sentences(Path seeds) throws Exception {
    List<String[]> rows = new ArrayList<>();
    List<Path> articles;
    try (Stream<Path> files = Files.list(seeds)) {
      articles = files.filter(f -> f.toString().endsWith(".txt")).sorted().toList();
    }
    for (int a = 0; a < articles.size(); a++) {
      for (String line : Files.readAllLines(articles.get(a), StandardCharsets.UTF_8)) {
        for (String s : SENTENCE_END.split(line.strip())) {
          if (HAN.matcher(s).results().count() >= 5) {
            rows.add(new String[] {s.strip(), "article" + a});
          }
        }
      }
    }
    return rows;
  }

  private static String csv(List<String[]> rows) {
    StringBuilder csv = new StringBuilder("text,label\n");
    rows.forEach(r -> csv.append('"').append(r[0].replace("\"", "\"\"")).append("\",").append(r[1]).append('\n'));
    return csv.toString();
  }

  private static Path seeds() {
    String given = System.getProperty("kiln.seeds", System.getenv("KILN_SEEDS"));
    Path dir = Path.of(given != null ? given : "/work/shared/seeds");
    Assumptions.assumeTrue(Files.isDirectory(dir), "no seed articles at " + dir);
    return dir;
  }

  private static boolean sklearn() throws Exception {
    Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import sklearn").start();
    return p.waitFor() == 0;
  }

  private long train(ObjectNode req) throws Exception {
    long id = ok(send("POST", "/api/v1/jobs", req.toString()), 202).get("id").asLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      JsonNode job = job(id);
      String state = job.get("state").asText();
      if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
        assertThat(state).as(job.toString()).isEqualTo("SUCCEEDED");
        return id;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " did not finish in 120 s");
  }

  private static String last(String out) {
    return out.strip().lines().reduce((a, b) -> b).orElseThrow();
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private JsonNode job(long id) throws Exception {
    return ok(send("GET", "/api/v1/jobs/" + id, null), 200);
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }
}
