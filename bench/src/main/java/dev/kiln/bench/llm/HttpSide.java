package dev.kiln.bench.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.llm.Generation;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Through Kiln: {@code POST /v1/completions} with {@code "stream": true}, each stream on an HTTP/1.1 client of its own
 * (so its own connection, kept alive between rounds), reading the Server-Sent Events line by line. A piece of text
 * arrives when its {@code data:} line is read, before the JSON is parsed.
 */
final class HttpSide extends Side {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DATA = "data: ";

  private final HttpClient[] clients;
  private final HttpRequest request;
  private final int maxTokens;

  HttpSide(int port, String model, Generation generation, int maxStreams) {
    super("kiln", maxStreams);
    this.clients = new HttpClient[maxStreams];
    for (int i = 0; i < maxStreams; i++) {
      clients[i] = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }
    ObjectNode body =
        JSON.createObjectNode()
            .put("model", model)
            .put("prompt", generation.prompt())
            .put("max_tokens", generation.maxTokens())
            .put("temperature", generation.temperature())
            .put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    this.request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    this.maxTokens = generation.maxTokens();
  }

  @Override
  Trace stream(int index) throws Exception {
    Trace.Recorder recorder = new Trace.Recorder(System.nanoTime(), maxTokens);
    HttpResponse<InputStream> response = clients[index].send(request, HttpResponse.BodyHandlers.ofInputStream());
    int tokens = -1;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + response.statusCode() + ": " + lines.readLine());
      }
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        long now = System.nanoTime();
        if (!line.startsWith(DATA)) {
          continue; // the blank line after each event
        }
        if (line.startsWith("[DONE]", DATA.length())) {
          return recorder.end(now, tokens < 0 ? recorder.pieces() : tokens);
        }
        JsonNode chunk = JSON.readTree(line.substring(DATA.length()));
        if (!chunk.path("choices").path(0).path("text").asText("").isEmpty()) {
          recorder.arrived(now);
        } else if (chunk.has("usage") && !chunk.get("usage").isNull()) {
          tokens = chunk.get("usage").path("completion_tokens").asInt(-1);
        } else if (chunk.has("error")) {
          throw new IllegalStateException("stream failed: " + line);
        }
      }
    }
    throw new IllegalStateException("stream ended without [DONE]");
  }
}
