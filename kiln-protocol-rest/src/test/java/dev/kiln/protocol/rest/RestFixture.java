package dev.kiln.protocol.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.tensor.DataType;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.http.HttpServer;
import dev.kiln.http.HttpSettings;
import dev.kiln.http.MetricsService;
import dev.kiln.onnx.ExampleModels;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

/** A real core and a real HTTP server on a free port over a repository of example models. */
final class RestFixture implements AutoCloseable {
  static final ExampleModels.Mlp MLP = ExampleModels.Mlp.random(784, 128, 10, 7);
  static final ObjectMapper JSON = new ObjectMapper();

  final Path root;
  final InferenceCore core;
  final HttpServer server;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  RestFixture(Path root, HttpSettings settings, boolean modelControl) throws Exception {
    this.root = root;
    ExampleModels.write(root, "mlp", 1, MLP.onnx());
    Files.writeString(
        root.resolve("mlp/config.json"),
        "{\"max-batch-size\": 8, \"dynamic-batching\": {\"max-queue-delay-us\": 200}}");
    ExampleModels.write(root, "add_sub", 1, ExampleModels.addSub());
    ExampleModels.write(root, "strings", 1, ExampleModels.identity(DataType.BYTES));
    ExampleModels.write(root, "half", 1, ExampleModels.identity(DataType.FP16));
    ExampleModels.write(root, "broken", 1, new byte[] {1, 2, 3});
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OnnxEngine engine = new OnnxEngine();
    core =
        new InferenceCore(
            new ModelRepository(root, List.of(engine)),
            List.of(engine),
            EngineOptions.defaults(),
            new InferenceMetrics(registry),
            CoreSettings.defaults().withModelControl(modelControl));
    core.start();
    server =
        new HttpServer(
                settings,
                List.of(
                    new OipRestService(core, Executors.newVirtualThreadPerTaskExecutor(), settings),
                    new PredictService(core, Optional.empty(), settings),
                    new KServeV1Service(core, Executors.newVirtualThreadPerTaskExecutor(), settings),
                    new MetricsService(registry)))
            .start();
  }

  static RestFixture start(Path root) throws Exception {
    return new RestFixture(root, HttpSettings.defaults("127.0.0.1", 0), true);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<byte[]> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  HttpResponse<byte[]> post(String path, String json) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(uri(path))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .header("Content-Type", "application/json"));
  }

  HttpResponse<byte[]> post(String path, byte[] body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b);
  }

  static JsonNode json(String body) throws IOException {
    return JSON.readTree(body);
  }

  static JsonNode json(HttpResponse<byte[]> r) throws IOException {
    return JSON.readTree(r.body());
  }

  @Override
  public void close() {
    server.close();
    core.close();
  }
}
