package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.engine.llama.TinyLlama;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Language models in the core's lifecycle (issue 11): found by the repository's one scan, in the repository index with
 * state and failure reason, with readiness, and drained on unload and shutdown.
 */
class LanguageModelLifecycleTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;

  Kiln start(Duration drain) throws Exception {
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    Path good = repo.resolve("good.gguf");
    TinyLlama.write(good, 8);
    byte[] all = Files.readAllBytes(good);
    Files.write(
        Files.createDirectories(repo.resolve("broken/1")).resolve("model.gguf"), Arrays.copyOf(all, all.length - 1000));
    Files.delete(good);
    return Kiln.start(
        KilnConfig.defaults(repo, 0, 0)
            .withModelControl(ModelControl.EXPLICIT)
            .withCore(new CoreSettings(Duration.ofSeconds(30), drain))
            .withLlm(new LlmConfig(2048, 2)));
  }

  static HttpResponse<String> call(Kiln k, String method, String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + path))
            .header("content-type", "application/json")
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, String> index(Kiln k) throws Exception {
    HttpResponse<String> r = call(k, "POST", "/v2/repository/index", "{}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, String> rows = new TreeMap<>();
    for (JsonNode row : JSON.readTree(r.body())) {
      rows.put(
          row.get("name").asText() + "/" + row.path("version").asText(),
          row.get("state").asText() + " " + row.path("reason").asText());
    }
    return rows;
  }

  /**
   * A streamed chat of many tokens; completes with every line the server sent once the stream ends. Returns once the
   * first event has come, so the generation is under way.
   */
  static CompletableFuture<List<String>> longStream(Kiln k) throws Exception {
    CompletableFuture<Void> started = new CompletableFuture<>();
    String body =
        "{\"model\":\"tiny\",\"stream\":true,\"max_tokens\":1800,\"temperature\":0,\"messages\":[{\"role\":"
            + "\"user\",\"content\":\"stone\"}]}";
    CompletableFuture<List<String>> answer =
        HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + "/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .thenApply(r -> {
              try (Stream<String> lines = r.body()) {
                return lines.filter(l -> !l.isEmpty()).peek(l -> started.complete(null)).toList();
              }
            });
    CompletableFuture.anyOf(started, answer).get(60, TimeUnit.SECONDS);
    return answer;
  }

  @Test
  void aGgufThatFailsToLoadIsIndexedUnavailableWithItsReasonAndTheOthersServeWithReadiness() throws Exception {
    try (Kiln k = start(Duration.ofSeconds(5))) {
      Map<String, String> rows = index(k);
      assertThat(rows).containsEntry("tiny/1", "READY ");
      assertThat(rows.get("broken/1"))
          .startsWith("UNAVAILABLE ")
          .contains("not a valid GGUF file")
          .doesNotContain(repo.toString());
      // gRPC's RepositoryIndex renders the same core index.
      assertThat(k.core().index(false)).contains(new RepositoryEntry("tiny", "1", ModelState.READY, ""));
      assertThat(call(k, "GET", "/v2/models/tiny/ready", null).statusCode()).isEqualTo(200);
      assertThat(call(k, "GET", "/v2/models/tiny/versions/1/ready", null).statusCode()).isEqualTo(200);
      assertThat(call(k, "GET", "/v2/models/broken/ready", null).statusCode()).isEqualTo(503);
      assertThat(call(k, "GET", "/v2/models/tiny/versions/7/ready", null).statusCode()).isEqualTo(404);
      assertThat(call(k, "GET", "/v2/models/nothing/ready", null).statusCode()).isEqualTo(404);
      assertThat(k.core().modelReady(k.core().target("tiny"))).isTrue();
      assertThat(k.core().readyModels()).doesNotContain("tiny"); // not a tensor model for /predict
    }
  }

  @Test
  void unloadLetsAGenerationInFlightFinishRefusesNewOnesAndLoadServesAgain() throws Exception {
    try (Kiln k = start(Duration.ofSeconds(30))) {
      CompletableFuture<List<String>> stream = longStream(k);
      assertThat(call(k, "POST", "/v2/repository/models/tiny/unload", "{}").statusCode()).isEqualTo(200);
      HttpResponse<String> refused =
          call(
              k,
              "POST",
              "/v1/chat/completions",
              "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(refused.statusCode()).isEqualTo(404);
      assertThat(call(k, "GET", "/v2/models/tiny/ready", null).statusCode()).isEqualTo(503);
      List<String> lines = stream.get(60, TimeUnit.SECONDS);
      assertThat(lines.getLast()).isEqualTo("data: [DONE]"); // finished, not cut off
      assertThat(lines.get(lines.size() - 2)).contains("\"finish_reason\":\"length\"");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      // Draining ends once the model is freed: with llama.cpp in a child process, once that process has exited.
      while ((!index(k).containsKey("tiny/") || index(k).containsKey("tiny/1")) && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertThat(index(k)).containsEntry("tiny/", "UNAVAILABLE unloaded").doesNotContainKey("tiny/1");
      assertThat(call(k, "POST", "/v2/repository/models/tiny/load", "{}").statusCode()).isEqualTo(200);
      assertThat(call(k, "GET", "/v2/models/tiny/ready", null).statusCode()).isEqualTo(200);
      assertThat(index(k)).containsEntry("tiny/1", "READY ").doesNotContainKey("tiny/");
      assertThat(call(k, "POST", "/v2/repository/models/broken/load", "{}").statusCode()).isEqualTo(400);
    }
  }

  @Test
  void shutdownCancelsGenerationsStillRunningAfterTheDrainWindow() throws Exception {
    Kiln k = start(Duration.ofMillis(300));
    CompletableFuture<List<String>> stream = longStream(k);
    long start = System.nanoTime();
    k.close();
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    assertThat(stream.get(30, TimeUnit.SECONDS))
        .isNotEmpty()
        .noneMatch(l -> l.contains("\"finish_reason\":" + "\"length\""));
  }
}
