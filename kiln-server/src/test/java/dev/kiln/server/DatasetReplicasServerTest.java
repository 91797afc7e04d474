package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas in one JVM over one database and one artifact store, each with a training data folder of its own: a
 * dataset uploaded through A is listed by B and trains a job on B, which fetches it into its own cache.
 */
class DatasetReplicasServerTest extends GovernanceServerFixture {
  @TempDir Path dataB;
  @TempDir Path scratchB;
  private Kiln b;

  @AfterEach
  void stopB() {
    if (b != null) {
      b.close();
    }
  }

  private HttpResponse<String> onB(String method, String path, String body) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.httpPort() + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aDatasetUploadedThroughOneReplicaTrainsOnAnotherWithItsOwnDataFolder() throws Exception {
    start(false);
    b =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withTraining(TrainingConfig.defaults(dataB))
                .withGovernance(
                    database(
                        GovernanceConfig.defaults(data)
                            .withAuth(false)
                            .withMasterKey(masterKey)
                            .withScratch(scratchB))),
            clock);
    HttpResponse<String> added =
        call("POST", "/api/v1/datasets/line?label=y&task=regression", null, TrainingGovernanceServerTest.lineCsv());
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    String sha = JSON.readTree(added.body()).get("sha256").asText();

    HttpResponse<String> seen = onB("GET", "/api/v1/datasets/line", null);
    assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
    assertThat(seen.body()).contains(sha);
    String job = "{\"dataset\":\"line\",\"model\":\"type: linear_regression\",\"training\":{\"epochs\":2}}";
    HttpResponse<String> submitted = onB("POST", "/api/v1/jobs", job);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    long id = JSON.readTree(submitted.body()).get("id").asLong();
    JsonNode done = finishedOnB(id);

    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(scratchFolder(scratchB, "datasets").resolve("line")).isDirectory(); // B's own (RAM) copy
    assertThat(dataB.resolve("datasets")).doesNotExist();
    assertThat(Files.exists(data.resolve("datasets"))).isFalse(); // neither replica wrote the file layout
  }

  private JsonNode finishedOnB(long job) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      JsonNode j = JSON.readTree(onB("GET", "/api/v1/jobs/" + job, null).body());
      if (!j.path("state").asText().matches("QUEUED|RUNNING") || System.nanoTime() > deadline) {
        return j;
      }
      Thread.sleep(200);
    }
  }
}
