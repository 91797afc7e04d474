package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.govern.auth.Scope;
import io.micrometer.core.instrument.Gauge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two API keys share a language model's slots fairly, through a real server with auth on: key A floods 300 chats, key
 * B's one chat is served within a turn or two instead of after A's whole queue, and A's requests beyond its share of
 * the queue are answered 429 (OpenAI's envelope, Retry-After) at once.
 */
class LanguageModelFairnessTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final int FLOOD = 300;
  static final int PER_KEY = 100;
  static final String CHAT =
      "{\"model\":\"tiny\",\"max_tokens\":64,\"temperature\":0,\"messages\":[{\"role\":\"user\","
          + "\"content\":\"hello kiln\"}]}";
  @TempDir Path dir;

  @Test
  void oneKeysFloodDoesNotStarveAnotherKeysSingleChat() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("models"));
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    KilnConfig config =
        KilnConfig.defaults(repo, 0, 0)
            // A short drain: closing the server cancels what is left of the flood instead of generating it.
            .withCore(new CoreSettings(Duration.ofSeconds(30), Duration.ofMillis(500)))
            .withLlm(new LlmConfig(512, 2, 1, 320, Duration.ofMinutes(5)).withQueuePerKey(PER_KEY))
            .withGovernance(GovernanceConfig.defaults(dir.resolve("data")).withAuth(true));
    try (Kiln kiln = Kiln.start(config)) {
      String a = key(kiln, "a");
      String b = key(kiln, "b");
      URI chat = URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v1/chat/completions");
      send(chat, b).get(60, TimeUnit.SECONDS); // warm-up
      long[] alone = new long[3];
      for (int i = 0; i < alone.length; i++) {
        long t = System.nanoTime();
        assertThat(send(chat, b).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        alone[i] = System.nanoTime() - t;
      }
      Arrays.sort(alone);
      long oneGeneration = alone[1];

      AtomicInteger aDone = new AtomicInteger();
      List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
      for (int i = 0; i < FLOOD; i++) {
        flood.add(
            send(chat, a)
                .whenComplete((r, e) -> {
                  if (r != null && r.statusCode() == 200) {
                    aDone.incrementAndGet();
                  }
                }));
      }
      // Every one of A's chats has reached the model: answered (429 beyond its share, or done) or queued or running.
      // Then B's chat waits behind A's queue only, not behind A's requests still arriving.
      Gauge waiting = kiln.registry().find("kiln_llm_num_requests_waiting").tag("model", "tiny").gauge();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (flood.stream().filter(CompletableFuture::isDone).count() + waiting.value() + 2 < FLOOD
          && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertThat(waiting.value()).as("A's flood queued").isGreaterThan(PER_KEY / 2.0);

      int aBefore = aDone.get();
      long sent = System.nanoTime();
      HttpResponse<String> bAnswer = send(chat, b).get(60, TimeUnit.SECONDS);
      long bLatency = System.nanoTime() - sent;
      int aDuring = aDone.get() - aBefore;
      double stillQueued = waiting.value();

      System.out.printf(
          "FAIR alone %d ms, under flood %d ms, A done during %d, before %d, queued %.0f%n",
          oneGeneration / 1_000_000, bLatency / 1_000_000, aDuring, aBefore, stillQueued);
      assertThat(bAnswer.statusCode()).as(bAnswer.body()).isEqualTo(200);
      // First come, first served would put B behind about PER_KEY of A's chats; in turns, behind the two running and
      // at most one more per slot.
      assertThat(aDuring).as("A's chats completed while B's waited and ran").isLessThan(20);
      assertThat(stillQueued).as("A's flood still queued when B was answered").isGreaterThan(PER_KEY / 2.0);
      assertThat(bLatency)
          .as("B under the flood: %d ms; alone: %d ms", bLatency / 1_000_000, oneGeneration / 1_000_000)
          .isLessThan(6 * oneGeneration + TimeUnit.SECONDS.toNanos(1));

      // Beyond its share A was refused at once with OpenAI's rate-limit envelope and a Retry-After.
      int refused = 0;
      for (CompletableFuture<HttpResponse<String>> f : flood) {
        if (f.isDone() && !f.isCompletedExceptionally() && f.join().statusCode() == 429) {
          HttpResponse<String> r = f.join();
          JsonNode e = JSON.readTree(r.body()).get("error");
          assertThat(e.get("type").asText()).isEqualTo("rate_limit_error");
          assertThat(e.get("code").asText()).isEqualTo("rate_limit_exceeded");
          assertThat(e.get("message").asText()).contains("requests waiting");
          assertThat(r.headers().firstValue("retry-after")).isPresent();
          refused++;
        }
      }
      // About FLOOD - PER_KEY - 2, less those let in as A's chats ended while the flood was still arriving.
      assertThat(refused).as("A's chats beyond its share").isGreaterThanOrEqualTo(50);
    }
  }

  static String key(Kiln kiln, String name) {
    return kiln.apiKeys()
        .orElseThrow()
        .create(name, List.of(Scope.parse("invoke:*")), null, Map.of(), null, "test")
        .token();
  }

  static CompletableFuture<HttpResponse<String>> send(URI uri, String key) {
    return HTTP.sendAsync(
        HttpRequest.newBuilder(uri)
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + key)
            .timeout(Duration.ofMinutes(2))
            .POST(HttpRequest.BodyPublishers.ofString(CHAT))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
