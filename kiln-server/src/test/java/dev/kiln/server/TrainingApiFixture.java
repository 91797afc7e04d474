package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A started Kiln with training on, and the HTTP calls the training API tests make against it. */
abstract class TrainingApiFixture {
  static final ObjectMapper JSON = new ObjectMapper();

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;
  Kiln kiln;

  @BeforeEach
  void start() throws Exception {
    kiln = startKiln();
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  /** A short lease, so that a job left by a stopped server is taken up again quickly. */
  Kiln startKiln() throws Exception {
    return Kiln.start(
        KilnConfig.defaults(repo, 0, 0).withTraining(TrainingConfig.defaults(data).withLease(Duration.ofSeconds(2))));
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  JsonNode job(long id) throws Exception {
    return ok(send("GET", "/api/v1/jobs/" + id, null), 200);
  }

  /** Waits up to {@code seconds} for job {@code id} to end, checks that it succeeded, and returns its id. */
  long succeeded(long id, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      JsonNode job = job(id);
      String state = job.get("state").asText();
      if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
        assertThat(state).as(job.toString()).isEqualTo("SUCCEEDED");
        return id;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " did not finish in " + seconds + " s");
  }

  /** Runs {@code command} (the scikit-learn side of a comparison) to its end; its output, stderr included. */
  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
