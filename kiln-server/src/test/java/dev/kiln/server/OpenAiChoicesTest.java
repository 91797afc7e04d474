package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.Scope;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several choices ({@code n}) and log probabilities over HTTP, on the tiny model with auth on: each choice its own
 * index, finish reason and text, reproducible by seed, streamed interleaved with the right index, charged once for the
 * prompt; log probabilities in OpenAI's chat and legacy shapes, whole and streamed.
 */
class OpenAiChoicesTest extends GovernanceServerFixture {
  String key;

  @BeforeEach
  void serve() throws Exception {
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 5);
    start(true);
    ApiKeys.Created k =
        kiln.apiKeys().orElseThrow().create("llm", List.of(Scope.parse("invoke:tiny")), null, Map.of(), null, "test");
    key = k.token();
  }

  static String chat(String extra) {
    return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}],\"max_tokens\":8,"
        + "\"temperature\":1.5"
        + extra
        + "}";
  }

  JsonNode ok(String path, String body) throws Exception {
    HttpResponse<String> r = call("POST", path, key, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static List<String> contents(JsonNode r) {
    List<String> out = new ArrayList<>();
    r.get("choices").forEach(c -> out.add(c.at("/message/content").asText()));
    return out;
  }

  @Test
  void threeChoicesEachWithItsIndexReproducibleBySeedAndChargedOnceForThePrompt() throws Exception {
    JsonNode one = ok("/v1/chat/completions", chat(",\"seed\":9"));
    JsonNode r = ok("/v1/chat/completions", chat(",\"seed\":9,\"n\":3,\"logprobs\":true"));
    assertThat(r.get("choices")).hasSize(3);
    int generated = 0;
    for (int i = 0; i < 3; i++) {
      JsonNode c = r.get("choices").get(i);
      assertThat(c.get("index").asInt()).isEqualTo(i);
      assertThat(c.get("finish_reason").asText()).isIn("length", "stop");
      generated += c.at("/logprobs/content").size(); // one entry per generated token
    }
    assertThat(new HashSet<>(contents(r))).as("seeds 9, 10, 11 sample apart").hasSizeGreaterThan(1);
    assertThat(r.at("/usage/prompt_tokens").asInt()).isEqualTo(one.at("/usage/prompt_tokens").asInt());
    assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(generated);
    assertThat(contents(ok("/v1/chat/completions", chat(",\"seed\":9,\"n\":3,\"logprobs\":true"))))
        .isEqualTo(contents(r));
    // What the key was charged: both requests' every token, the prompt once each.
    JsonNode usage = JSON.readTree(call("GET", "/api/v1/usage", admin, (String) null).body());
    long total = one.at("/usage/total_tokens").asLong() + 2 * r.at("/usage/total_tokens").asLong();
    assertThat(usage.findValues("tokens").stream().mapToLong(JsonNode::asLong).sum()).isEqualTo(total);
  }

  @Test
  void streamedChoicesCarryTheirIndexAndMatchTheWholeAnswer() throws Exception {
    JsonNode whole = ok("/v1/chat/completions", chat(",\"seed\":4,\"n\":3,\"logprobs\":true,\"top_logprobs\":2"));
    HttpResponse<String> r =
        call(
            "POST",
            "/v1/chat/completions",
            key,
            chat(
                ",\"seed\":4,\"n\":3,\"logprobs\":true,\"top_logprobs\":2,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<Integer, StringBuilder> text = new TreeMap<>();
    Map<Integer, Integer> tokens = new TreeMap<>();
    Map<Integer, String> finish = new TreeMap<>();
    JsonNode usage = null;
    for (String line : r.body().split("\n")) {
      if (!line.startsWith("data: {")) {
        continue;
      }
      JsonNode chunk = JSON.readTree(line.substring(6));
      if (chunk.hasNonNull("usage")) {
        usage = chunk.get("usage");
      }
      for (JsonNode c : chunk.get("choices")) {
        int i = c.get("index").asInt();
        text.computeIfAbsent(i, x -> new StringBuilder()).append(c.at("/delta/content").asText(""));
        if (c.hasNonNull("logprobs")) {
          JsonNode content = c.at("/logprobs/content");
          content.forEach(t -> assertThat(t.get("top_logprobs")).hasSize(2));
          tokens.merge(i, content.size(), Integer::sum);
        }
        if (c.hasNonNull("finish_reason")) {
          finish.put(i, c.get("finish_reason").asText());
        }
      }
    }
    assertThat(r.body()).endsWith("data: [DONE]\n\n");
    assertThat(finish).containsOnlyKeys(0, 1, 2);
    assertThat(text.values().stream().map(StringBuilder::toString).toList()).isEqualTo(contents(whole));
    assertThat(usage).isNotNull();
    assertThat(usage.get("completion_tokens").asInt())
        .isEqualTo(tokens.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(whole.at("/usage/completion_tokens").asInt());
  }

  @Test
  void chatLogprobsAreRealAndInOpenAisShape() throws Exception {
    JsonNode r = ok("/v1/chat/completions", chat(",\"temperature\":0,\"logprobs\":true,\"top_logprobs\":3"));
    JsonNode content = r.at("/choices/0/logprobs/content");
    assertThat(content).hasSize(r.at("/usage/completion_tokens").asInt());
    StringBuilder text = new StringBuilder();
    for (JsonNode t : content) {
      text.append(t.get("token").asText());
      assertThat(t.get("logprob").asDouble()).isLessThanOrEqualTo(0);
      assertThat(t.get("bytes")).isNotEmpty();
      JsonNode top = t.get("top_logprobs");
      assertThat(top).hasSize(3);
      assertThat(top.get(0).get("logprob").asDouble()).isGreaterThanOrEqualTo(top.get(1).get("logprob").asDouble());
      assertThat(top.get(1).get("logprob").asDouble()).isGreaterThanOrEqualTo(top.get(2).get("logprob").asDouble());
      // Greedy: the chosen token is the likeliest, with the same log probability.
      assertThat(top.get(0).get("token").asText()).isEqualTo(t.get("token").asText());
      assertThat(top.get(0).get("logprob").asDouble()).isEqualTo(t.get("logprob").asDouble());
    }
    assertThat(text.toString()).isEqualTo(r.at("/choices/0/message/content").asText());
  }

  @Test
  void completionLogprobsComeInTheLegacyShapeWholeAndStreamed() throws Exception {
    String body = "{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":6,\"temperature\":0,\"logprobs\":2";
    JsonNode r = ok("/v1/completions", body + "}");
    JsonNode lp = r.at("/choices/0/logprobs");
    assertThat(lp.get("tokens")).hasSize(6);
    assertThat(lp.get("token_logprobs")).hasSize(6);
    assertThat(lp.get("text_offset").get(0).asInt()).isZero();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      assertThat(lp.get("text_offset").get(i).asInt()).isEqualTo(text.length());
      text.append(lp.get("tokens").get(i).asText());
      assertThat(lp.get("top_logprobs").get(i).size()).isBetween(1, 2);
      assertThat(lp.get("token_logprobs").get(i).asDouble()).isLessThanOrEqualTo(0);
    }
    assertThat(text.toString()).isEqualTo(r.at("/choices/0/text").asText());
    HttpResponse<String> s = call("POST", "/v1/completions", key, body + ",\"stream\":true}");
    List<String> streamed = new ArrayList<>();
    for (String line : s.body().split("\n")) {
      if (line.startsWith("data: {")) {
        JsonNode c = JSON.readTree(line.substring(6)).at("/choices/0");
        if (c.at("/logprobs/tokens").isArray()) {
          c.at("/logprobs/tokens").forEach(t -> streamed.add(t.asText()));
        }
      }
    }
    List<String> whole = new ArrayList<>();
    lp.get("tokens").forEach(t -> whole.add(t.asText()));
    assertThat(streamed).isEqualTo(whole);
  }

  @Test
  void badChoiceAndLogprobValuesGetOpenAisErrorNamingTheField() throws Exception {
    String[][] cases = {
      {"/v1/chat/completions", chat(",\"n\":9"), "'n' must be an integer from 1 to 8"},
      {"/v1/chat/completions", chat(",\"n\":0"), "'n'"},
      {"/v1/chat/completions", chat(",\"n\":2.5"), "'n'"},
      {"/v1/chat/completions", chat(",\"logprobs\":1"), "'logprobs' must be a boolean"},
      {"/v1/chat/completions", chat(",\"logprobs\":true,\"top_logprobs\":21"), "'top_logprobs'"},
      {"/v1/chat/completions", chat(",\"logprobs\":true,\"top_logprobs\":-1"), "'top_logprobs'"},
      {"/v1/chat/completions", chat(",\"top_logprobs\":2"), "needs 'logprobs': true"},
      {"/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"logprobs\":6}", "'logprobs'"},
      {"/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"logprobs\":true}", "'logprobs'"},
      {"/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"best_of\":2}", "'best_of'"},
    };
    Set<String> seen = new HashSet<>();
    for (String[] c : cases) {
      HttpResponse<String> r = call("POST", c[0], key, c[1]);
      assertThat(r.statusCode()).as(c[1]).isEqualTo(400);
      JsonNode error = JSON.readTree(r.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("message").asText()).as(c[1]).contains(c[2]);
      seen.add(c[1]);
    }
    assertThat(seen).hasSize(cases.length);
  }
}
