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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A language model's request limits over the OpenAI API, on the tiny model (context 512): {@code max_tokens} capped by
 * configuration (400 naming the cap, never clamped), prompts bounded in bytes before they are queued or tokenised, and
 * prompts of the context's length in tokens refused before the engine, naming both numbers.
 */
class LanguageModelLimitsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final int CAP = 32;
  static final int PROMPT_BYTES = 4096;
  @TempDir static Path repo;
  static Kiln kiln;

  @BeforeAll
  static void start() throws Exception {
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withLlm(new LlmConfig(TinyLlama.CONTEXT_LENGTH, 1, 1).withLimits(CAP, PROMPT_BYTES)));
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .get(60, TimeUnit.SECONDS);
  }

  static String chat(String content, String extra) {
    return "{\"model\":\"tiny\",\"temperature\":0"
        + extra
        + ",\"messages\":[{\"role\":\"user\",\"content\":"
        + JSON.valueToTree(content)
        + "}]}";
  }

  static JsonNode error(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode e = JSON.readTree(r.body()).get("error");
    assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
    return e;
  }

  @Test
  void maxTokensAboveTheCapIsRefusedNamingTheCapAndUpToItIsServed() throws Exception {
    for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
      JsonNode e = error(post("/v1/chat/completions", chat("hello", ",\"" + field + "\":" + (CAP + 1))));
      assertThat(e.get("message").asText()).isEqualTo("'" + field + "' must be an integer from 1 to " + CAP);
    }
    JsonNode completions = error(post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":4096}"));
    assertThat(completions.get("message").asText()).isEqualTo("'max_tokens' must be an integer from 1 to " + CAP);
    HttpResponse<String> ok = post("/v1/chat/completions", chat("hello", ",\"max_tokens\":" + CAP));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(JSON.readTree(ok.body()).at("/usage/completion_tokens").asInt()).isEqualTo(CAP);
  }

  @Test
  void withoutMaxTokensARequestGetsAtMostTheCap() throws Exception {
    HttpResponse<String> ok = post("/v1/chat/completions", chat("hello", ""));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(JSON.readTree(ok.body()).at("/usage/completion_tokens").asInt()).isEqualTo(CAP);
    assertThat(JSON.readTree(ok.body()).at("/choices/0/finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void malformedMaxTokensAre400() throws Exception {
    for (String v : new String[] {"0", "-1", "1.5", "\"8\"", "1e20", "99999999999999999999999", "true", "[]"}) {
      JsonNode e = error(post("/v1/chat/completions", chat("hello", ",\"max_tokens\":" + v)));
      assertThat(e.get("message").asText()).as(v).isEqualTo("'max_tokens' must be an integer from 1 to " + CAP);
    }
  }

  @Test
  void aPromptOverTheByteBoundIsRefusedAtOnceNamingBothNumbers() throws Exception {
    String big = "é".repeat(PROMPT_BYTES / 2 + 1); // 4098 bytes in 2049 characters
    JsonNode e = error(post("/v1/chat/completions", chat(big, "")));
    assertThat(e.get("message").asText()).isEqualTo("prompt: 4098 bytes (expected: at most 4096)");
    String twoMessages =
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"system\",\"content\":\""
            + "a".repeat(3000)
            + "\"},{\"role\":\"user\",\"content\":\""
            + "b".repeat(1097)
            + "\"}]}";
    assertThat(error(post("/v1/chat/completions", twoMessages)).get("message").asText())
        .isEqualTo("prompt: 4097 bytes (expected: at most 4096)");
    String completion = "{\"model\":\"tiny\",\"stream\":true,\"prompt\":\"" + "x".repeat(5000) + "\"}";
    assertThat(error(post("/v1/completions", completion)).get("message").asText())
        .isEqualTo("prompt: 5000 bytes (expected: at most 4096)");
  }

  @Test
  void aPromptAsLongAsTheContextIsRefusedBeforeTheEngineNamingBothNumbers() throws Exception {
    String words = "hello world ".repeat(300); // 3600 bytes, within the bound; over 512 tokens
    for (String stream : new String[] {"", ",\"stream\":true"}) {
      String message = error(post("/v1/chat/completions", chat(words, stream))).get("message").asText();
      assertThat(message)
          .as(stream)
          .matches("prompt: \\d+ tokens \\(expected: fewer than 512, the model's context length\\)");
    }
    HttpResponse<String> ok = post("/v1/chat/completions", chat("hello world ".repeat(20), ",\"max_tokens\":2"));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
  }
}
