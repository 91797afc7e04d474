package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.llm.JsonLimits;
import dev.kiln.engine.llama.TinyLlama;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Structured output and tool calls over the OpenAI API of a real server, with the random-weight model. */
class OpenAiStructuredApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String WEATHER =
      "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather now\","
          + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":16},"
          + "\"unit\":{\"enum\":[\"c\",\"f\"]}},\"required\":[\"city\",\"unit\"],\"additionalProperties\":false}}}";

  @TempDir static Path repo;
  static Kiln kiln;

  @BeforeAll
  static void start() throws Exception {
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0).withLlm(new LlmConfig(1024, 2).withJson(new JsonLimits(4096, 4, 24, 4))));
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static List<JsonNode> events(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data: {")) {
        out.add(JSON.readTree(line.substring(6)));
      }
    }
    return out;
  }

  @Test
  void jsonSchemaOutputParsesOnChatAndCompletions() throws Exception {
    String format =
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\",\"strict\":true,\"schema\":"
            + "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":10},\"n\":"
            + "{\"type\":\"integer\"}},\"required\":[\"name\",\"n\"],\"additionalProperties\":false}}}";
    JsonNode chat =
        ok(
            post(
                "/v1/chat/completions",
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":200,"
                    + format
                    + "}"));
    assertThat(chat.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    JsonNode doc = JSON.readTree(chat.at("/choices/0/message/content").asText());
    assertThat(doc.get("name").isTextual()).isTrue();
    assertThat(doc.get("n").isIntegralNumber()).isTrue();
    JsonNode completion =
        ok(post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":200," + format + "}"));
    assertThat(JSON.readTree(completion.at("/choices/0/text").asText()).has("name")).isTrue();
    JsonNode object =
        ok(
            post(
                "/v1/chat/completions",
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":200,\"seed\":1,"
                    + "\"response_format\":{\"type\":\"json_object\"}}"));
    assertThat(object.at("/choices/0/message/content").asText()).startsWith("{");
  }

  @Test
  void theConfiguredLimitsBoundWhatIsWrittenAndWhatIsAccepted() throws Exception {
    String free =
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":300,"
            + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\",\"schema\":"
            + "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}}";
    JsonNode doc = JSON.readTree(ok(post("/v1/chat/completions", free)).at("/choices/0/message/content").asText());
    assertThat(doc.size()).isBetween(0, 4);
    doc.forEach(s -> assertThat(s.asText().length()).isLessThanOrEqualTo(24));
    String deep = "{\"type\":\"array\",\"items\":".repeat(5) + "{}" + "}".repeat(5);
    HttpResponse<String> r =
        post(
            "/v1/chat/completions",
            "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":"
                + "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"d\",\"schema\":"
                + deep
                + "}}}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).at("/error/message").asText()).contains("nests deeper than 4 levels");
  }

  @Test
  void unsupportedSchemasAndBadToolRequestsAre400InOpenAisShape() throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/chat/completions",
            "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":"
                + "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"string\","
                + "\"pattern\":\"a+\"}}}}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(JSON.readTree(r.body()).at("/error/message").asText())
        .isEqualTo("response_format.json_schema.schema: unsupported schema features: pattern (at /)");
    for (String bad :
        List.of(
            ",\"tools\":[" + WEATHER + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}",
            ",\"tool_choice\":\"required\"",
            ",\"tools\":[" + WEATHER + "," + WEATHER + "]",
            ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}]",
            ",\"tools\":[" + WEATHER + "],\"parallel_tool_calls\":\"yes\"",
            ",\"response_format\":{\"type\":\"xml\"}")) {
      HttpResponse<String> b =
          post(
              "/v1/chat/completions",
              "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + bad + "}");
      assertThat(b.statusCode()).as(bad + " -> " + b.body()).isEqualTo(400);
    }
    HttpResponse<String> toolWithoutId =
        post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"tool\",\"content\":\"18\"}]}");
    assertThat(JSON.readTree(toolWithoutId.body()).at("/error/message").asText())
        .isEqualTo("messages[0].tool_call_id is required for a tool message");
  }

  @Test
  void aToolCallRoundTrip() throws Exception {
    String ask =
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris?\"}],\"max_tokens\":200,"
            + "\"tools\":["
            + WEATHER
            + "],\"tool_choice\":\"required\",\"parallel_tool_calls\":false}";
    JsonNode call = ok(post("/v1/chat/completions", ask));
    assertThat(call.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(call.at("/choices/0/message/content").isNull()).isTrue();
    JsonNode calls = call.at("/choices/0/message/tool_calls");
    assertThat(calls.size()).isEqualTo(1);
    assertThat(calls.at("/0/id").asText()).startsWith("call_");
    assertThat(calls.at("/0/type").asText()).isEqualTo("function");
    assertThat(calls.at("/0/function/name").asText()).isEqualTo("get_weather");
    JsonNode args = JSON.readTree(calls.at("/0/function/arguments").asText());
    assertThat(args.get("unit").asText()).isIn("c", "f");
    String id = calls.at("/0/id").asText();
    String answer =
        "{\"model\":\"tiny\",\"max_tokens\":8,\"tools\":["
            + WEATHER
            + "],\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris?\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
            + calls
            + "},{\"role\":\"tool\",\"tool_call_id\":\""
            + id
            + "\",\"content\":\"18 C\"}]}";
    JsonNode said = ok(post("/v1/chat/completions", answer));
    // auto on the random-weight model: it answers in text (its '<' scores below every word piece).
    assertThat(said.at("/choices/0/message/content").asText()).isNotEmpty();
    assertThat(said.at("/choices/0/message/tool_calls").isMissingNode()).isTrue();
    assertThat(said.at("/choices/0/finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void toolCallsStreamAsOpenAiStreamsThem() throws Exception {
    String ask =
        "{\"model\":\"tiny\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}],"
            + "\"max_tokens\":200,\"temperature\":0,\"tools\":["
            + WEATHER
            + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}";
    List<JsonNode> chunks = events(post("/v1/chat/completions", ask));
    StringBuilder args = new StringBuilder();
    String name = null;
    String id = null;
    String finish = null;
    int fragments = 0;
    for (JsonNode c : chunks) {
      JsonNode choice = c.at("/choices/0");
      JsonNode call = choice.at("/delta/tool_calls/0");
      if (!call.isMissingNode()) {
        assertThat(call.get("index").asInt()).isZero();
        if (call.has("id")) {
          assertThat(id).isNull();
          id = call.get("id").asText();
          name = call.at("/function/name").asText();
        } else {
          args.append(call.at("/function/arguments").asText());
          fragments++;
        }
      }
      if (choice.hasNonNull("finish_reason")) {
        finish = choice.get("finish_reason").asText();
      }
    }
    assertThat(id).startsWith("call_");
    assertThat(name).isEqualTo("get_weather");
    assertThat(fragments).isGreaterThan(1);
    assertThat(JSON.readTree(args.toString()).get("unit").asText()).isIn("c", "f");
    assertThat(finish).isEqualTo("tool_calls");
    // The same request whole gives the same call (greedy decoding).
    String whole = ask.replace("\"stream\":true,", "");
    JsonNode same = ok(post("/v1/chat/completions", whole));
    assertThat(same.at("/choices/0/message/tool_calls/0/function/arguments").asText()).isEqualTo(args.toString());
  }
}
