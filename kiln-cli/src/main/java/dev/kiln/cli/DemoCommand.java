package dev.kiln.cli;

import static dev.kiln.cli.DemoChecks.step;
import static dev.kiln.cli.DemoVectors.argmax;
import static dev.kiln.cli.DemoVectors.close;
import static dev.kiln.cli.DemoVectors.floats;
import static dev.kiln.cli.DemoVectors.list;
import static dev.kiln.cli.DemoVectors.maxDiff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.ModelControl;
import dev.kiln.server.TrainingConfig;
import dev.kiln.training.data.SampleData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kiln demo}: makes a model repository, starts a server on free ports, trains a classifier on the 8x8 digits
 * through the training API (progress bar, test metrics), deploys it and calls it with raw rows; then calls a served
 * model over every protocol, checks each answer against the model computed in plain Java, and stops; then tours
 * governance ({@link DemoGovernance}). Exit code 0 when every check passed.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Train a digits classifier, deploy it and call it; serve example models and call them over "
            + "REST (JSON and binary), /predict and gRPC.")
final class DemoCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--dir", description = "Where to write the demo model repository (default: a temp folder).")
  Path dir;

  @Option(names = "--requests", defaultValue = "400", description = "Requests in the concurrency burst.")
  int requests;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final DemoChecks checks = new DemoChecks();

  @Override
  public Integer call() throws Exception {
    Path root = dir != null ? dir : Files.createTempDirectory("kiln-demo");
    ExampleModels.Mlp mlp = ExampleModels.Mlp.random(784, 128, 10, 42);
    ExampleModels.write(root, "digits", 1, mlp.onnx());
    Files.writeString(
        root.resolve("digits/config.json"),
        "{\"max-batch-size\": 32, \"dynamic-batching\": {\"max-queue-delay-us\": 500}}");
    ExampleModels.write(root, "add_sub", 1, ExampleModels.addSub());
    TinyLlama.write(Files.createDirectories(root.resolve("tiny-llm/1")).resolve("model.gguf"), 42);
    step("model repository", root + " (digits: MLP 784-128-10, add_sub)");

    try (Kiln kiln =
        Kiln.start(
            KilnConfig.defaults(root, 0, 0)
                .withModelControl(ModelControl.EXPLICIT)
                .withTraining(TrainingConfig.defaults(root.resolveSibling(root.getFileName() + "-data"))))) {
      String base = "http://127.0.0.1:" + kiln.httpPort();
      step("server", "HTTP " + base + ", gRPC 127.0.0.1:" + kiln.grpcPort());
      checks.check("GET /v2/health/ready", get(base + "/v2/health/ready").statusCode() == 200, "200");
      train(base);
      chat(base);

      float[] x = ExampleModels.Mlp.randomRow(784, 1);
      float[] expected = mlp.predict(x);
      JsonNode json = postJson(base + "/v2/models/digits/infer", inferJson(x));
      float[] y = floats(json.at("/outputs/0/data"));
      checks.check(
          "REST JSON infer",
          close(y, expected),
          "class " + argmax(y) + ", max |Δ| vs plain Java " + String.format("%.1e", maxDiff(y, expected)));

      float[] yb = inferBinary(base, x);
      checks.check("REST binary infer", close(yb, expected), "Inference-Header-Content-Length, binary in and out");

      JsonNode p = postJson(base + "/predict/digits", "{\"x\": " + list(x) + "}");
      checks.check("POST /predict", p.at("/classes/0").asInt() == argmax(expected), p.at("/classes").toString());

      float[] yg = DemoGrpc.infer(kiln.grpcPort(), x);
      checks.check("gRPC ModelInfer", close(yg, expected), "raw_input_contents / raw_output_contents");

      burst(base, x, expected);
      JsonNode stats = get(base, "/v2/models/digits/stats").at("/model_stats/0");
      long rows = stats.get("inference_count").asLong();
      long executions = stats.get("execution_count").asLong();
      step(
          "dynamic batching",
          rows
              + " rows in "
              + executions
              + " executions (mean batch "
              + String.format("%.1f", rows / (double) Math.max(1, executions))
              + ")");
      String metrics = get(base + "/metrics").body();
      metrics
          .lines()
          .filter(l -> l.startsWith("kiln_inference_requests_total{model=\"digits\""))
          .forEach(l -> step("metrics", l));
    }
    new DemoGovernance(http, checks).tour(root);
    return checks.report();
  }

  /** Asks the tiny language model (random weights: its words are noise) through the OpenAI-compatible API. */
  private void chat(String base) throws Exception {
    JsonNode r =
        postJson(
            base + "/v1/chat/completions",
            "{\"model\":\"tiny-llm\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hello\"}],\"max_tokens\":8,\"temperature\":0}");
    checks.check(
        "OpenAI chat completion",
        r.at("/usage/completion_tokens").asInt() == 8,
        "tiny-llm (2 layers, random weights) said "
            + r.at("/choices/0/message/content")
            + ", usage "
            + r.path("usage"));
  }

  /** Uploads the digits, trains an MLP through the API with a progress bar, deploys it and calls it. */
  private void train(String base) throws Exception {
    KilnClient client = new KilnClient(base);
    byte[] csv;
    try (var in = new GZIPInputStream(SampleData.digitsCsv())) {
      csv = in.readAllBytes();
    }
    JsonNode ds = client.post("/api/v1/datasets/digits?label=digit", csv, "text/csv");
    step(
        "dataset",
        "digits v"
            + ds.path("version").asInt()
            + ": "
            + ds.path("rows").asLong()
            + " rows of 8x8 pixels, sha256 "
            + ds.path("sha256").asText().substring(0, 12));
    String spec =
        """
        type: sequential
        layers:
          - {type: dense, units: 64, activation: relu}
          - {type: dropout, rate: 0.1}
          - {type: dense, units: 10, activation: softmax}
        optimizer: {name: adam, learning_rate: 0.005}
        loss: sparse_categorical_crossentropy
        """;
    String request =
        JSON.createObjectNode()
            .put("dataset", "digits")
            .put("model", spec)
            .set("training", JSON.createObjectNode().put("epochs", 10).put("batch_size", 32))
            .toString();
    long id =
        client.post("/api/v1/jobs", request.getBytes(StandardCharsets.UTF_8), "application/json").get("id").asLong();
    step("train", "job " + id + ": MLP 64-64-10, Adam, 10 epochs (DJL + PyTorch)");
    JsonNode done = JobsCommand.follow(client, id);
    double accuracy = done.at("/evaluation/accuracy").asDouble();
    checks.check(
        "training job",
        done.path("state").asText().equals("SUCCEEDED") && accuracy > 0.9,
        String.format("test accuracy %.3f, macro F1 %.3f", accuracy, done.at("/evaluation/macro/f1").asDouble()));
    JsonNode d =
        client.post(
            "/api/v1/jobs/" + id + "/deploy",
            "{\"name\":\"digits8x8\"}".getBytes(StandardCharsets.UTF_8),
            "application/json");
    step("deploy", "job " + id + " as digits8x8 version " + d.path("version").asText());
    String[] rows = new String(csv, StandardCharsets.UTF_8).split("\n");
    StringBuilder body =
        new StringBuilder("{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\"," + "\"shape\":[5,64],\"data\":[");
    StringBuilder labels = new StringBuilder();
    for (int i = 1; i <= 5; i++) {
      String[] cells = rows[i].trim().split(",");
      body.append(i == 1 ? "" : ",").append(String.join(",", Arrays.copyOf(cells, 64)));
      labels.append(i == 1 ? "" : ",").append('"').append(cells[64]).append('"');
    }
    JsonNode out = postJson(base + "/v2/models/digits8x8/infer", body.append("]}]}").toString());
    String predicted = "";
    for (JsonNode o : out.path("outputs")) {
      if (o.path("name").asText().equals("class")) {
        predicted = o.path("data").toString();
      }
    }
    checks.check(
        "infer the trained model",
        predicted.equals("[" + labels + "]"),
        "raw pixel rows -> classes " + predicted + " (labels [" + labels + "])");
  }

  private void burst(String base, float[] x, float[] expected) throws Exception {
    String body = inferJson(x);
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      results.add(
          pool.submit(
              () -> close(floats(postJson(base + "/v2/models/digits/infer", body).at("/outputs/0/data")), expected)));
    }
    int ok = 0;
    for (Future<Boolean> r : results) {
      ok += r.get() ? 1 : 0;
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - start) / 1e9;
    checks.check(
        requests + " requests from 16 threads",
        ok == requests,
        String.format("%d correct, %.0f requests/s", ok, requests / seconds));
  }

  private float[] inferBinary(String base, float[] x) throws IOException, InterruptedException {
    byte[] header =
        ("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,784],"
                + "\"parameters\":{\"binary_data_size\":3136}}],\"parameters\":{\"binary_data_output\":true}}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(header.length + 3136).order(ByteOrder.LITTLE_ENDIAN).put(header);
    for (float v : x) {
      body.putFloat(v);
    }
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v2/models/digits/infer"))
                .header("Inference-Header-Content-Length", Integer.toString(header.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.array()))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    int jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElse("0"));
    float[] y = new float[10];
    ByteBuffer.wrap(r.body(), jsonLength, 40).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(y);
    return y;
  }

  static String inferJson(float[] x) {
    return "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,784],\"data\":" + list(x) + "}]}";
  }

  private JsonNode postJson(String url, String body) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String base, String path) throws IOException, InterruptedException {
    return JSON.readTree(get(base + path).body());
  }
}
