package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A text dataset's own tokenisation options, given at upload: the upload report measures with them, every job on the
 * dataset starts from them, and a job's {@code preparation} overrides them.
 */
class DatasetTextOptionsApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;

  /**
   * Each text is six characters drawn from its class's own four, written without spaces: as characters the classes are
   * told apart perfectly, as words every text is one token of its own, never seen again in the test split.
   */
  @Test
  void aDatasetsTokenizerDescribesItsReportAndIsEveryJobsDefaultUntilAJobOverridesIt() throws Exception {
    try (Kiln kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withTraining(TrainingConfig.defaults(data)))) {
      String base = "http://127.0.0.1:" + kiln.httpPort();
      JsonNode m = ok(send(base + "/api/v1/datasets/zh?text=text&label=label&tokenizer=words", csv()), 201);
      assertThat(m.at("/options/preparation/tokenizer").asText()).isEqualTo("words");
      assertThat(m.at("/text/tokenizer").asText()).as("the report counts words").isEqualTo("words");
      assertThat(m.at("/text/tokens").asLong()).isEqualTo(120);
      assertThat(m.at("/text/lengths/max").asInt()).isEqualTo(1);

      String words = "{\"dataset\":\"zh\",\"model\":\"type: ngram_classifier\",\"training\":{\"validation_split\":0}}";
      assertThat(accuracy(base, words)).as("words: no test text's token was seen in training").isLessThan(0.7);
      String chars =
          "{\"dataset\":\"zh\",\"model\":\"type: ngram_classifier\",\"training\":{\"validation_split\":0},"
              + "\"preparation\":{\"tokenizer\":\"chars\"}}";
      assertThat(accuracy(base, chars)).as("the job's own tokenizer wins").isEqualTo(1.0);

      JsonNode auto = ok(send(base + "/api/v1/datasets/zh?text=text&label=label", csv()), 201);
      assertThat(auto.at("/options/preparation").isMissingNode()).isTrue();
      assertThat(auto.at("/text/tokenizer").asText()).isEqualTo("chars");
    }
  }

  @Test
  void aBadTextOptionAtUploadIsRefusedNamingItAndWhatItTakes() throws Exception {
    try (Kiln kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withTraining(TrainingConfig.defaults(data)))) {
      String base = "http://127.0.0.1:" + kiln.httpPort();
      String upload = base + "/api/v1/datasets/zh?text=text&label=label&";
      assertThat(refused(upload + "tokenizer=letters"))
          .contains("tokenizer: 'letters' (expected one of: auto, words, chars)");
      assertThat(refused(upload + "lowercase=yes")).contains("lowercase: \"yes\" (expected true or false)");
      assertThat(refused(upload + "ngrams=4")).contains("ngrams: 4 (expected: 1, 2 or 3)");
      assertThat(refused(upload + "min_count=0")).contains("min_count: 0 (expected a positive integer)");
      assertThat(ok(send(base + "/api/v1/datasets", null), 200)).as("nothing was stored").isEmpty();
    }
  }

  private String refused(String url) throws Exception {
    HttpResponse<String> r = send(url, csv());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    return JSON.readTree(r.body()).get("error").asText();
  }

  private static String csv() {
    String[] alphabets = {"山水花鸟", "金木火土"};
    Random random = new Random(7);
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < 120; i++) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < 6; c++) {
        text.append(alphabets[i % 2].charAt(random.nextInt(4)));
      }
      csv.append(text).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
    }
    return csv.toString();
  }

  private double accuracy(String base, String request) throws Exception {
    long id = ok(send(base + "/api/v1/jobs", request), 202).get("id").asLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      JsonNode job =
          ok(
              http.send(
                  HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id)).build(),
                  HttpResponse.BodyHandlers.ofString()),
              200);
      String state = job.get("state").asText();
      if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
        assertThat(state).as(job.toString()).isEqualTo("SUCCEEDED");
        return job.at("/evaluation/accuracy").asDouble();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " did not finish in 120 s");
  }

  private HttpResponse<String> send(String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    return http.send(
        body == null ? b.GET().build() : b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }
}
