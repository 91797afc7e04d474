package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.llama.TinyLlama;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Language models under load through a real server with one event loop: a chat of several megabytes is templated and
 * tokenised off the loop (health answers meanwhile), and more chats than slots plus queue are refused with 503 at once
 * instead of all waiting.
 */
class LanguageModelLoadTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final int SLOTS = 1;
  static final int QUEUE = 1;
  @TempDir static Path repo;
  static Kiln kiln;

  @BeforeAll
  static void start() throws Exception {
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    KilnConfig config = KilnConfig.defaults(repo, 0, 0);
    kiln =
        Kiln.start(
            config
                .withHttp(config.http().withIoThreads(1))
                .withLlm(
                    // The huge chat must reach the tokenizer: raise the prompt bound above its 8.8 MB.
                    new LlmConfig(2048, SLOTS, 0, QUEUE, Duration.ofSeconds(30)).withLimits(0, 16 << 20)));
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + kiln.httpPort() + path);
  }

  static CompletableFuture<HttpResponse<String>> chat(String body) {
    return HTTP.sendAsync(
        HttpRequest.newBuilder(uri("/v1/chat/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthAnswersWhileAHugeChatIsTemplatedAndTokenised() throws Exception {
    String words = "hello world kiln clay ".repeat(100_000); // 2.2 MB per message, 8.8 MB in all
    StringBuilder body = new StringBuilder("{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[");
    for (int i = 0; i < 4; i++) {
      body.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"").append(words).append("\"}");
    }
    body.append("]}");
    long sent = System.nanoTime();
    CompletableFuture<HttpResponse<String>> huge = chat(body.toString());
    long slowest = 0;
    int answered = 0;
    while (!huge.isDone()) {
      long t = System.nanoTime();
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(uri("/v2/health/live")).timeout(Duration.ofMinutes(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      long took = System.nanoTime() - t;
      if (!huge.isDone()) { // answered while the chat was still being processed
        assertThat(r.statusCode()).isEqualTo(200);
        answered++;
        slowest = Math.max(slowest, took);
      }
      Thread.sleep(20);
    }
    long chatNanos = System.nanoTime() - sent;
    HttpResponse<String> r = huge.get();
    // The tiny model's context is far shorter than the prompt: refused once tokenised, which is the slow part.
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("prompt:");
    assertThat(answered).as("health probes answered during a chat of %d ms", chatNanos / 1_000_000).isGreaterThan(0);
    assertThat(slowest).isLessThan(chatNanos / 2);
  }

  @Test
  void aStreamedChatThatCannotStartIsAnsweredWithItsStatusNotAnOpenStream() throws Exception {
    // The prompt is tokenised on a slot thread, after the handler returned: the 200 waits until generation starts.
    HttpResponse<String> r =
        chat("{\"model\":\"tiny\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\""
                + "hello ".repeat(3000)
                + "\"}]}")
            .get(60, TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).at("/error/message").asText()).startsWith("prompt:");
    HttpResponse<String> ok =
        chat("{\"model\":\"tiny\",\"stream\":true,\"max_tokens\":3,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}")
            .get(60, TimeUnit.SECONDS);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).startsWith("data: {").contains("\"role\":\"assistant\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void moreChatsThanSlotsAndQueueAreRefusedWith503AtOnce() throws Exception {
    String body =
        "{\"model\":\"tiny\",\"max_tokens\":1500,\"temperature\":0,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hello\"}]}";
    int count = SLOTS + QUEUE + 4;
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    List<Long> sent = new ArrayList<>();
    List<Long> answered = new ArrayList<>(Collections.nCopies(count, 0L));
    for (int i = 0; i < count; i++) {
      int n = i;
      sent.add(System.nanoTime());
      calls.add(chat(body).whenComplete((x, e) -> answered.set(n, System.nanoTime())));
    }
    int ok = 0;
    int refused = 0;
    for (int i = 0; i < count; i++) {
      HttpResponse<String> r = calls.get(i).get(2, TimeUnit.MINUTES);
      if (r.statusCode() == 503) {
        refused++;
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertThat(e.get("type").asText()).isEqualTo("server_error");
        assertThat(e.get("message").asText()).contains("busy");
        assertThat(answered.get(i) - sent.get(i))
            .as("a refusal waits for nothing")
            .isLessThan(TimeUnit.SECONDS.toNanos(2));
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ok++;
      }
    }
    assertThat(refused).isGreaterThanOrEqualTo(1);
    assertThat(ok).isGreaterThanOrEqualTo(SLOTS + QUEUE);
  }
}
