package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.engine.llama.TinyLlama;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI-compatible API over a tiny GGUF model the test writes itself, through a real server. */
class OpenAiApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One slot, so a generation that kept it would hold up every later request. */
  static final int CONTEXT = 4096;

  @TempDir static Path repo;
  static Kiln kiln;

  @BeforeAll
  static void start() throws Exception {
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withLlm(new LlmConfig(CONTEXT, 1)));
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

  static String chat(int maxTokens, String extra) {
    return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\","
        + "\"content\":\"hello world\"}],\"max_tokens\":"
        + maxTokens
        + ",\"temperature\":0"
        + extra
        + "}";
  }

  @Test
  void listsTheModelAndIndexesItButNotAsATensorModel() throws Exception {
    JsonNode models =
        ok(
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()));
    assertThat(models.get("object").asText()).isEqualTo("list");
    assertThat(models.at("/data/0/id").asText()).isEqualTo("tiny");
    // One catalog: the repository index shows it with its state (issue 11); /predict's ready list does not.
    assertThat(kiln.core().index(false))
        .filteredOn(e -> e.name().equals("tiny"))
        .containsExactly(new RepositoryEntry("tiny", "1", ModelState.READY, ""));
    assertThat(kiln.core().readyModels()).doesNotContain("tiny");
  }

  @Test
  void aChatCompletionCountsItsTokensAndStopsAtMaxTokens() throws Exception {
    JsonNode r = ok(post("/v1/chat/completions", chat(6, ",\"some_future_field\":{\"x\":1}")));
    assertThat(r.get("object").asText()).isEqualTo("chat.completion");
    assertThat(r.get("id").asText()).startsWith("chatcmpl-");
    assertThat(r.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(r.at("/choices/0/message/content").asText()).isNotEmpty();
    assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(6);
    assertThat(r.at("/usage/prompt_tokens").asInt()).isGreaterThan(3);
    assertThat(r.at("/usage/total_tokens").asInt())
        .isEqualTo(r.at("/usage/prompt_tokens").asInt() + r.at("/usage/completion_tokens").asInt());
    // Greedy decoding is deterministic.
    assertThat(ok(post("/v1/chat/completions", chat(6, ""))).at("/choices/0/message/content").asText())
        .isEqualTo(r.at("/choices/0/message/content").asText());
  }

  @Test
  void aStopSequenceEndsTheTextBeforeIt() throws Exception {
    String full =
        ok(post(
                "/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":12," + "\"temperature\":0}"))
            .at("/choices/0/text")
            .asText();
    assertThat(full.length()).isGreaterThan(4);
    String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
    JsonNode cut =
        ok(
            post(
                "/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":12,"
                    + "\"temperature\":0,\"stop\":["
                    + JSON.writeValueAsString(stop)
                    + "]}"));
    String text = cut.at("/choices/0/text").asText();
    assertThat(cut.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(text).doesNotContain(stop);
    assertThat(full).startsWith(text);
  }

  @Test
  void aStreamedChatSendsChunksWithOneIdThenUsageThenDone() throws Exception {
    HttpResponse<InputStream> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v1/chat/completions"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        chat(5, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}")))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> data = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("data: ")) {
          data.add(line.substring(6));
        }
      }
    }
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    Set<String> ids = new HashSet<>();
    StringBuilder text = new StringBuilder();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonNode c = JSON.readTree(d);
      ids.add(c.get("id").asText());
      assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
      if (!c.get("choices").isEmpty()) {
        text.append(c.at("/choices/0/delta/content").asText(""));
      }
    }
    assertThat(ids).hasSize(1);
    assertThat(JSON.readTree(data.get(0)).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    JsonNode usage = JSON.readTree(data.get(data.size() - 2));
    assertThat(usage.get("choices")).isEmpty();
    assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(5);
    assertThat(JSON.readTree(data.get(data.size() - 3)).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(text.toString())
        .isEqualTo(ok(post("/v1/chat/completions", chat(5, ""))).at("/choices/0/message/content").asText());
  }

  /** A chat that cannot end by itself within these tests' deadlines: the tiny model never stops on its own. */
  static final String ENDLESS =
      "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
          + "\"max_tokens\":"
          + (CONTEXT - 64)
          + ",\"temperature\":0";

  static double gauge(String name) {
    return kiln.registry().find(name).tag("model", "tiny").gauge().value();
  }

  static double finished(String reason) {
    return kiln.registry()
        .find("kiln_llm_requests_finished_total")
        .tag("model", "tiny")
        .tag("finished_reason", reason)
        .counter()
        .count();
  }

  /** Polls to a generous deadline; fails with what it last saw. */
  static void eventually(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(until);
      Thread.sleep(20);
    }
  }

  /** A raw connection, so the test decides exactly when the client goes away. */
  static Socket send(String path, String body) throws Exception {
    Socket s = new Socket("127.0.0.1", kiln.httpPort());
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = s.getOutputStream();
    out.write(
        ("POST "
                + path
                + " HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: "
                + b.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.flush();
    return s;
  }

  /**
   * Goes away mid-stream from a generation that cannot finish in the test's time, on the only slot: the engine must end
   * it as cancelled (not by length), and the next request must get the slot.
   */
  @Test
  void aClientThatDisconnectsMidStreamCancelsItsGeneration() throws Exception {
    double cancelled = finished("cancelled");
    double length = finished("length");
    try (Socket s = send("/v1/chat/completions", ENDLESS + ",\"stream\":true}")) {
      InputStream in = s.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] buf = new byte[256];
      while (seen.indexOf("\"content\":\"", seen.indexOf("\"content\":\"") + 1) < 0) { // a generated token
        int n = in.read(buf);
        assertThat(n).as(seen.toString()).isPositive();
        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    }
    eventually("the engine ends the generation as cancelled", () -> finished("cancelled") == cancelled + 1);
    assertThat(finished("length")).isEqualTo(length);
    eventually(
        "the gauges are back to 0",
        () -> gauge("kiln_llm_num_requests_running") == 0 && gauge("kiln_llm_num_requests_waiting") == 0);
    assertThat(ok(post("/v1/chat/completions", chat(3, ""))).at("/usage/completion_tokens").asInt()).isEqualTo(3);
  }

  /** The same for a client that gives up on a non-streamed answer while it is being generated. */
  @Test
  void aClientThatDisconnectsBeforeItsAnswerCancelsItsGeneration() throws Exception {
    double cancelled = finished("cancelled");
    double length = finished("length");
    try (Socket s = send("/v1/chat/completions", ENDLESS + "}")) {
      eventually("the generation is decoding", () -> gauge("kiln_llm_num_requests_running") == 1);
    }
    eventually("the engine ends the generation as cancelled", () -> finished("cancelled") == cancelled + 1);
    assertThat(finished("length")).isEqualTo(length);
    eventually(
        "the gauges are back to 0",
        () -> gauge("kiln_llm_num_requests_running") == 0 && gauge("kiln_llm_num_requests_waiting") == 0);
    assertThat(ok(post("/v1/chat/completions", chat(3, ""))).at("/usage/completion_tokens").asInt()).isEqualTo(3);
  }

  /**
   * A request sent on the same connection while a generation is pending is held back (the read that watches for a
   * disconnect brings it), then answered after the generation, in order.
   */
  @Test
  void aRequestPipelinedBehindAGenerationIsAnsweredAfterIt() throws Exception {
    try (Socket s = send("/v1/chat/completions", chat(200, ""))) {
      eventually("the generation is decoding", () -> gauge("kiln_llm_num_requests_running") == 1);
      s.getOutputStream()
          .write(
              "GET /v1/models HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String answers = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int completion = answers.indexOf("\"chat.completion\"");
      assertThat(completion).as(answers).isPositive();
      assertThat(answers.indexOf("\"object\":\"list\"")).as(answers).isGreaterThan(completion);
      assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(3);
    }
  }

  /** Two requests in one write: the second is answered after the generation the first asked for, in order. */
  @Test
  void requestsPipelinedInOneWriteAreAnsweredInOrder() throws Exception {
    byte[] chat = chat(20, "").getBytes(StandardCharsets.UTF_8);
    String both =
        "POST /v1/chat/completions HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
            + "content-length: "
            + chat.length
            + "\r\n\r\n"
            + new String(chat, StandardCharsets.UTF_8)
            + "GET /v1/models HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n";
    try (Socket s = new Socket("127.0.0.1", kiln.httpPort())) {
      s.getOutputStream().write(both.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      String answers = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int completion = answers.indexOf("\"chat.completion\"");
      assertThat(completion).as(answers).isPositive();
      assertThat(answers.indexOf("\"object\":\"list\"")).as(answers).isGreaterThan(completion);
      assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(3);
    }
  }

  @Test
  void rejectedPromptsLeaveNothingRunning() throws Exception {
    String tooLong = "{\"model\":\"tiny\",\"prompt\":\"" + "hello ".repeat(CONTEXT) + "\",\"max_tokens\":4}";
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = post("/v1/completions", tooLong);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.body()).contains("prompt");
    }
    assertThat(gauge("kiln_llm_num_requests_running")).isZero();
    assertThat(gauge("kiln_llm_num_requests_waiting")).isZero();
  }

  @Test
  void generationsAreMeasuredAsVllmNamesIt() throws Exception {
    ok(post("/v1/chat/completions", chat(4, "")));
    var registry = kiln.registry();
    assertThat(registry.find("kiln_llm_time_to_first_token_seconds").tag("model", "tiny").timer().count()).isPositive();
    assertThat(registry.find("kiln_llm_time_per_output_token_seconds").tag("model", "tiny").timer().count())
        .isPositive();
    assertThat(registry.find("kiln_llm_e2e_request_latency_seconds").tag("model", "tiny").timer().count()).isPositive();
    assertThat(registry.find("kiln_llm_generation_tokens_total").tag("model", "tiny").counter().count())
        .isGreaterThanOrEqualTo(4);
    assertThat(registry.find("kiln_llm_prompt_tokens_total").tag("model", "tiny").counter().count()).isPositive();
    assertThat(registry.find("kiln_llm_num_requests_waiting").tag("model", "tiny").gauge().value()).isZero();
  }

  @Test
  void embeddingsAreOneVectorPerInput() throws Exception {
    JsonNode r = ok(post("/v1/embeddings", "{\"model\":\"tiny\",\"input\":[\"hello\",\"world wide\"]}"));
    assertThat(r.get("data")).hasSize(2);
    assertThat(r.at("/data/0/embedding")).hasSize(64);
    assertThat(
            ok(post("/v1/embeddings", "{\"model\":\"tiny\",\"input\":\"x\",\"dimensions\":64}"))
                .at("/data/0/embedding"))
        .hasSize(64);
    assertThat(r.at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(r.at("/usage/prompt_tokens").asInt()).isPositive();
  }

  /** Error bodies are written by Kiln: no paths, file names, class names or stack frames. */
  static void assertLeaksNothing(String body) {
    assertThat(body)
        .doesNotContain(repo.toString())
        .doesNotContain(".gguf")
        .doesNotContain("Exception")
        .doesNotContain("dev.kiln")
        .doesNotContain("java.")
        .doesNotContain("com.fasterxml")
        .doesNotContainPattern("\\bat [a-z]+\\.")
        .doesNotContainPattern("\\.(java|cc|cpp|h):\\d+");
  }

  @Test
  void parametersAreCheckedAndValidOnesAccepted() throws Exception {
    // Integral numbers written as such, and the "none" forms of log probabilities, are fine.
    ok(
        post(
            "/v1/chat/completions",
            chat(
                2,
                ",\"n\":1,\"seed\":-9223372036854775808,\"logprobs\":false,"
                    + "\"top_logprobs\":0,\"max_completion_tokens\":2.0")));
    ok(
        post(
            "/v1/completions",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"best_of\":1,"
                + "\"logprobs\":0,\"seed\":9223372036854775807}"));
    // top_k reaches the sampler: with k = 1, a hot temperature still picks the likeliest token, as greedy does.
    String greedy = ok(post("/v1/chat/completions", chat(12, ""))).at("/choices/0/message/content").asText();
    String hot = chat(12, ",\"seed\":5").replace("\"temperature\":0", "\"temperature\":2");
    assertThat(ok(post("/v1/chat/completions", hot)).at("/choices/0/message/content").asText()).isNotEqualTo(greedy);
    assertThat(
            ok(post("/v1/chat/completions", hot.substring(0, hot.length() - 1) + ",\"top_k\":1}"))
                .at("/choices/0/message/content")
                .asText())
        .isEqualTo(greedy);
  }

  @Test
  void badRequestsGetOpenAisErrorEnvelope() throws Exception {
    String[][] cases = {
      {"/v1/chat/completions", "{\"model\":\"tiny\"}", "400", "messages"},
      {"/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[]}", "400", "messages"},
      {
        "/v1/chat/completions",
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}",
        "400",
        "role"
      },
      {"/v1/chat/completions", chat(-1, ""), "400", "max_tokens"},
      {"/v1/chat/completions", chat(5, ",\"temperature\":7"), "400", "temperature"},
      {"/v1/chat/completions", chat(5, ",\"n\":9"), "400", "'n'"},
      // Integers are compared exactly, never wrapped to 32 or 64 bits (4294967297 is 2^32 + 1).
      {"/v1/chat/completions", chat(5, ",\"n\":4294967297"), "400", "'n'"},
      {"/v1/chat/completions", chat(5, ",\"n\":18446744073709551617"), "400", "'n'"},
      {"/v1/chat/completions", chat(5, ",\"n\":1000000"), "400", "'n'"},
      {"/v1/chat/completions", chat(5, ",\"n\":\"1\""), "400", "'n'"},
      {"/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"best_of\":4294967297}", "400", "'best_of'"},
      {
        "/v1/chat/completions",
        chat(5, "").replace("\"max_tokens\":5", "\"max_tokens\":1000000000"),
        "400",
        "'max_tokens'"
      },
      {
        "/v1/chat/completions",
        chat(5, "").replace("\"max_tokens\":5", "\"max_tokens\":18446744073709551621"),
        "400",
        "'max_tokens'"
      },
      {"/v1/chat/completions", chat(5, ",\"max_completion_tokens\":4294967301"), "400", "'max_completion_tokens'"},
      {"/v1/chat/completions", chat(5, ",\"seed\":18446744073709551617"), "400", "'seed'"},
      {"/v1/chat/completions", chat(5, ",\"seed\":1.5"), "400", "'seed'"},
      {"/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"logprobs\":4294967297}", "400", "'logprobs'"},
      {"/v1/chat/completions", chat(5, ",\"top_logprobs\":4294967296"), "400", "'top_logprobs'"},
      {"/v1/chat/completions", chat(5, ",\"logprobs\":true,\"top_logprobs\":21"), "400", "'top_logprobs'"},
      {"/v1/chat/completions", chat(5, ",\"top_k\":4294967297"), "400", "'top_k'"},
      {"/v1/chat/completions", chat(5, ",\"top_k\":-2"), "400", "'top_k'"},
      {"/v1/chat/completions", chat(5, ",\"top_k\":2.5"), "400", "'top_k'"},
      {"/v1/completions", "{\"model\":\"tiny\",\"prompt\":42}", "400", "prompt"},
      {"/v1/embeddings", "{\"model\":\"tiny\",\"input\":[1,2]}", "400", "input"},
      {"/v1/embeddings", "{\"model\":\"tiny\",\"input\":\"x\",\"dimensions\":4294967360}", "400", "'dimensions'"},
      {"/v1/embeddings", "{\"model\":\"tiny\",\"input\":\"x\",\"dimensions\":32}", "400", "'dimensions'"},
      {
        "/v1/chat/completions",
        "{\"model\":\"tiny\",\"messages\":["
            + "{\"role\":\"user\",\"content\":\"\"},".repeat(CONTEXT)
            + "{\"role\":\"user\",\"content\":\"\"}]}",
        "400",
        "4097 messages"
      },
      {"/v1/chat/completions", "not json", "400", "JSON"},
      {
        "/v1/chat/completions",
        "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        "404",
        "does not exist"
      },
      {"/v1/nothing-here", "{}", "404", "no route"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = post(c[0], c[1]);
      String what = c[1].length() > 200 ? c[1].substring(0, 200) + "..." : c[1];
      assertThat(r.statusCode()).as(what).isEqualTo(Integer.parseInt(c[2]));
      JsonNode error = JSON.readTree(r.body()).get("error");
      assertThat(error.get("message").asText()).as(what).contains(c[3]);
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertLeaksNothing(r.body());
    }
    assertThat(
            JSON.readTree(
                    post(
                            "/v1/chat/completions",
                            "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\"," + "\"content\":\"x\"}]}")
                        .body())
                .at("/error/code")
                .asText())
        .isEqualTo("model_not_found");
  }
}
