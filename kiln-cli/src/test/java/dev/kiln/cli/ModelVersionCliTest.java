package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A trained job deployed to the registry keeps its test metrics and permutation importance in the version's metadata:
 * the registry API shows them, and {@code kiln models show NAME VERSION} prints them.
 */
class ModelVersionCliTest extends TrainingServerCli {
  @Override
  @BeforeEach
  void start() throws Exception {
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withTraining(TrainingConfig.defaults(data))
                .withGovernance(GovernanceConfig.defaults(data.resolve("governance"))));
    url = "http://127.0.0.1:" + kiln.httpPort();
  }

  @Test
  void aDeployedVersionRecordsItsMetricsAndColumnImportance() throws Exception {
    // Ten columns, of which only x3 and x7 decide the label.
    Random random = new Random(3);
    StringBuilder rows = new StringBuilder("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,label\n");
    for (int i = 0; i < 300; i++) {
      double[] x = random.doubles(10, -1, 1).toArray();
      for (double v : x) {
        rows.append(v).append(',');
      }
      rows.append(x[3] + x[7] > 0 ? "yes" : "no").append('\n');
    }
    Path csv = Files.writeString(files.resolve("ten.csv"), rows.toString());
    Path spec = Files.writeString(files.resolve("lr.yaml"), "type: logistic_regression\n");
    assertThat(kiln("datasets", "add", csv.toString(), "--label", "label", "--url", url).exit()).isZero();
    Run train = kiln("train", "--dataset", "ten", "--model", spec.toString(), "--url", url);
    assertThat(train.exit()).as(train.out() + train.err()).isZero();
    Run deploy = kiln("deploy", "1", "--as", "ten", "--url", url);
    assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();

    // The registry API: the version's metadata holds the job's evaluation, importance included.
    HttpResponse<String> version =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/models/ten/versions/1")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(version.statusCode()).as(version.body()).isEqualTo(200);
    ObjectMapper json = new ObjectMapper();
    JsonNode meta = json.readTree(json.readTree(version.body()).get("metadata").asText());
    assertThat(meta.at("/evaluation/accuracy").asDouble()).isGreaterThan(0.8);
    JsonNode importance = meta.at("/evaluation/permutation_importance");
    assertThat(importance.path("metric").asText()).isEqualTo("accuracy");
    List<String> ranked = new ArrayList<>();
    importance.path("columns").forEach(c -> ranked.add(c.path("name").asText()));
    assertThat(ranked).hasSize(10);
    assertThat(ranked.subList(0, 2)).containsExactlyInAnyOrder("x3", "x7");

    // The CLI: the version as text, the same importances in the same order.
    Run show = kiln("models", "show", "ten", "1", "--url", url);
    assertThat(show.exit()).as(show.out() + show.err()).isZero();
    List<String> lines = show.out().lines().toList();
    assertThat(lines.get(0)).matches("ten v1  PUBLISHED  onnx  trained  [0-9]+ bytes  sha256 [0-9a-f]{64}");
    assertThat(lines.get(1)).isEqualTo("trained by job 1 on ten@1");
    assertThat(show.out()).containsPattern("accuracy 0\\.[89][0-9]* +\\(n = [0-9]+\\)");
    int header = lines.indexOf("  COLUMN                   IMPORTANCE        STD");
    assertThat(header).as(show.out()).isPositive();
    for (int i = 0; i < 10; i++) {
      assertThat(lines.get(header + 1 + i).trim().split(" +")[0]).isEqualTo(ranked.get(i));
    }
    // The model as JSON, as before, without a version.
    assertThat(json.readTree(kiln("models", "show", "ten", "--url", url).out()).at("/versions/0/version").asLong())
        .isEqualTo(1);
  }

  @Test
  void aVersionThatIsNotThereOrNotANumberIsAClearError() throws Exception {
    Run missing = kiln("models", "show", "nosuch", "1", "--url", url);
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.err()).contains("nosuch");
    Run word = kiln("models", "show", "ten", "latest", "--url", url);
    assertThat(word.exit()).isNotZero();
    assertThat(word.err()).contains("latest");
  }
}
