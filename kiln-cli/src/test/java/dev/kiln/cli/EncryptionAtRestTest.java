package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.govern.blob.StoreLocation;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.testing.MarkerScan;
import dev.kiln.govern.testing.S3Server;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's proof of encryption at rest, through a real governed server: a CSV upload plants a marker in a categorical
 * column (which the model keeps as a category); the dataset is trained on with checkpoints, the model deployed, served,
 * downloaded, its splits read; a second upload has it in a text column, and a text classifier is trained on it. Then
 * every file under the data folder and the artifact store (the folder, or s3proxy's backing folder) is scanned for the
 * marker: none with a master key; the same run without one finds it, so the scan is proven. The plaintext working
 * copies were in the process's scratch folder (RAM in production) while it ran, and are gone when it stops.
 */
class EncryptionAtRestTest {
  private static final String MARKER = "zq7-plaintext-marker";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path tmp;

  @Test
  void withAMasterKeyNothingUploadedIsOnDiskInTheClear() throws Exception {
    assertThat(run(true, false)).isEmpty();
  }

  @Test
  void withoutAMasterKeyTheScanFindsTheMarkerInTheArtifactStore() throws Exception {
    assertThat(run(false, false)).anyMatch(p -> p.startsWith(tmp.resolve("data/artifacts/objects")));
  }

  @Test
  void onS3WithAMasterKeyNothingUploadedIsInTheBucketOrTheDataFolderInTheClear() throws Exception {
    assertThat(run(true, true)).isEmpty();
  }

  @Test
  void onS3WithoutAMasterKeyTheScanFindsTheMarkerInTheBucket() throws Exception {
    assertThat(run(false, true)).anyMatch(p -> p.startsWith(tmp.resolve("s3")));
  }

  /** Uploads, trains, deploys, serves, downloads; returns the files on disk that hold the marker in the clear. */
  private List<Path> run(boolean masterKey, boolean s3) throws Exception {
    Path data = tmp.resolve("data");
    Path ram = tmp.resolve("ram");
    GovernanceConfig g = GovernanceConfig.defaults(data).withScratch(ram);
    if (masterKey) {
      Path key = tmp.resolve("keys/master.key"); // the key itself lives apart from the data, as it should
      Files.createDirectories(key.getParent());
      MasterKeys.generate(key);
      g = g.withMasterKey(key);
    }
    Optional<S3Server> bucket = Optional.empty();
    if (s3) {
      bucket = Optional.of(S3Server.start(tmp.resolve("s3")));
      bucket.get().createBucket("kiln");
      g =
          g.withArtifactStore(
              ((StoreLocation.S3) StoreLocation.parse("s3://kiln/prod")).withEndpoint(bucket.get().endpoint()));
    }
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    List<Path> roots = new ArrayList<>(List.of(data, repo));
    bucket.ifPresent(b -> roots.add(b.folder()));
    MarkerScan scan = MarkerScan.of(MARKER);
    List<Path> found;
    try (Kiln kiln =
        Kiln.start(KilnConfig.defaults(repo, 0, 0).withTraining(TrainingConfig.defaults(data)).withGovernance(g))) {
      exercise(kiln.httpPort());
      assertThat(scan.filesWithMarker(ram)).as("the working copies, in the scratch folder while serving").isNotEmpty();
      found = new ArrayList<>(scan.filesWithMarker(roots.toArray(Path[]::new)));
    } finally {
      bucket.ifPresent(S3Server::close);
    }
    try (Stream<Path> left = Files.list(ram)) {
      assertThat(left).as("the scratch folder is deleted at stop").isEmpty();
    }
    assertThat(MarkerScan.files(roots.toArray(Path[]::new))).as("files scanned").isGreaterThan(3);
    // What a stop writes (final flushes) is scanned too.
    for (Path p : scan.filesWithMarker(roots.toArray(Path[]::new))) {
      if (!found.contains(p)) {
        found.add(p);
      }
    }
    return found;
  }

  private static void exercise(int port) throws Exception {
    StringBuilder csv = new StringBuilder("city,x,y\n");
    for (int i = 0; i < 60; i++) {
      int c = i % 3;
      csv.append(MARKER)
          .append("-city")
          .append(c)
          .append(',')
          .append(i)
          .append(',')
          .append(2 * i + 10 * c)
          .append('\n');
    }
    JsonNode added = ok(call(port, "POST", "/api/v1/datasets/cities?label=y&task=regression", csv.toString()), 201);
    assertThat(added.toString()).contains("city");
    // A network trained by epochs (a linear regression is solved in one step): each epoch is a checkpoint.
    String job =
        "{\"dataset\":\"cities\",\"model\":{\"type\":\"sequential\",\"layers\":[{\"type\":\"dense\",\"units\":1}],"
            + "\"optimizer\":{\"name\":\"adam\",\"learning_rate\":0.05},\"loss\":\"mse\"},\"training\":{\"epochs\":3}}";
    long id = ok(call(port, "POST", "/api/v1/jobs", job), 202).get("id").asLong();
    JsonNode done = finished(port, id);
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.get("history").size()).as("epochs, each checkpointed").isEqualTo(3);
    ok(call(port, "POST", "/api/v1/jobs/" + id + "/deploy", "{\"name\":\"cities\"}"), 201);
    String infer =
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[5]},"
            + "{\"name\":\"city\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
            + MARKER
            + "-city1\"]}]}";
    ok(call(port, "POST", "/v2/models/cities/infer", infer), 200);
    HttpResponse<byte[]> model =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/jobs/" + id + "/model")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(model.statusCode()).isEqualTo(200);
    assertThat(new String(model.body(), StandardCharsets.ISO_8859_1))
        .as("the model keeps the categories")
        .contains(MARKER);
    HttpResponse<String> splits = call(port, "GET", "/api/v1/jobs/" + id + "/splits?as=csv&split=train", null);
    assertThat(splits.statusCode()).as(splits.body()).isEqualTo(200);
    assertThat(splits.body()).contains(MARKER);

    // A text column too: free text with the marker among its words, and a text classifier trained on it.
    StringBuilder notes = new StringBuilder("note,label\n");
    for (int i = 0; i < 40; i++) {
      String mood = i % 2 == 0 ? "good fine great" : "bad poor awful";
      notes.append("\"customer ").append(i).append(' ').append(MARKER).append(' ').append(mood).append("\",");
      notes.append(i % 2 == 0 ? "pos" : "neg").append('\n');
    }
    ok(call(port, "POST", "/api/v1/datasets/notes?text=note&label=label&tokenizer=words", notes.toString()), 201);
    String textJob = "{\"dataset\":\"notes\",\"model\":\"type: ngram_classifier\"}";
    long text = ok(call(port, "POST", "/api/v1/jobs", textJob), 202).get("id").asLong();
    JsonNode textDone = finished(port, text);
    assertThat(textDone.get("state").asText()).as(textDone.toString()).isEqualTo("SUCCEEDED");
  }

  private static JsonNode finished(int port, long id) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (true) {
      JsonNode j = ok(call(port, "GET", "/api/v1/jobs/" + id, null), 200);
      if (!j.path("state").asText().matches("QUEUED|RUNNING") || System.nanoTime() > deadline) {
        return j;
      }
      Thread.sleep(100);
    }
  }

  private static HttpResponse<String> call(int port, String method, String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
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
