package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole server started through {@link Kiln#start}, called over real HTTP and gRPC connections. */
class KilnServerTest {
  static final ExampleModels.Mlp MLP = ExampleModels.Mlp.random(784, 128, 10, 3);
  static final ExampleModels.Mlp MLP_2 = ExampleModels.Mlp.random(784, 128, 10, 4);
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;

  Kiln start(ModelControl control, String mlpConfig) throws Exception {
    ExampleModels.write(repo, "mlp", 1, MLP.onnx());
    if (mlpConfig != null) {
      Files.writeString(repo.resolve("mlp/config.json"), mlpConfig);
    }
    return Kiln.start(
        KilnConfig.defaults(repo, 0, 0).withModelControl(control).withPollInterval(Duration.ofMillis(200)));
  }

  static String request(float[] x) {
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,784]," + "\"data\":[");
    for (int i = 0; i < x.length; i++) {
      sb.append(i == 0 ? "" : ",").append(x[i]);
    }
    return sb.append("]}]}").toString();
  }

  HttpResponse<String> post(Kiln k, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> postAsync(Kiln k, String path, String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  int get(Kiln k, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  static float[] floats(JsonNode a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }

  @Test
  void restAndGrpcGiveTheSameAnswerAsThePlainJavaModel() throws Exception {
    float[] x = ExampleModels.Mlp.randomRow(784, 9);
    float[] expected = MLP.predict(x);
    try (Kiln k = start(ModelControl.NONE, null)) {
      float[] rest = floats(JSON.readTree(post(k, "/v2/models/mlp/infer", request(x)).body()).at("/outputs/0/data"));
      ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", k.grpcPort()).usePlaintext().build();
      try {
        ByteBuffer raw = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(x);
        var resp =
            GRPCInferenceServiceGrpc.newBlockingStub(ch)
                .modelInfer(
                    ModelInferRequest.newBuilder()
                        .setModelName("mlp")
                        .addInputs(
                            ModelInferRequest.InferInputTensor.newBuilder()
                                .setName("input")
                                .setDatatype("FP32")
                                .addShape(1)
                                .addShape(784))
                        .addRawInputContents(ByteString.copyFrom(raw.array()))
                        .build());
        float[] grpc = new float[10];
        resp.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(grpc);
        for (int i = 0; i < 10; i++) {
          assertThat(rest[i]).isCloseTo(expected[i], within(1e-4f));
          assertThat(grpc[i]).isCloseTo(expected[i], within(1e-4f));
        }
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void reloadingToANewVersionUnderLoadFailsNoRequestAndEveryAnswerIsRight() throws Exception {
    try (Kiln k =
        start(
            ModelControl.EXPLICIT,
            "{\"max-batch-size\": 8, \"dynamic-batching\": " + "{\"max-queue-delay-us\": 100}}")) {
      LoadClients load = new LoadClients(k.httpPort(), "mlp", 6, Map.of("1", MLP, "2", MLP_2));
      long swapStart;
      long swapEnd;
      try {
        load.awaitEach(c -> c.status() == 200);
        ExampleModels.write(repo, "mlp", 2, MLP_2.onnx()); // other weights: each answer shows who computed it
        swapStart = System.nanoTime();
        assertThat(post(k, "/v2/repository/models/mlp/load", "").statusCode()).isEqualTo(200);
        swapEnd = System.nanoTime();
        load.awaitEach(c -> c.sent() > swapEnd);
      } finally {
        load.close();
      }
      List<LoadClients.Call> calls = load.calls();

      assertThat(calls)
          .as("calls not answered 200 with their own row's numbers from the version they name")
          .filteredOn(c -> c.status() != 200 || !c.detail().isEmpty())
          .isEmpty();
      assertThat(calls)
          .filteredOn(c -> c.answered() < swapStart)
          .as("answered before the swap")
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.version()).isEqualTo("1"));
      assertThat(calls)
          .filteredOn(c -> c.sent() > swapEnd)
          .as("sent after the swap")
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.version()).isEqualTo("2"));
      assertThat(calls)
          .as("version 1 kept answering while version 2 loaded")
          .anySatisfy(c -> {
            assertThat(c.answered()).isGreaterThan(swapStart);
            assertThat(c.version()).isEqualTo("1");
          });
    }
  }

  @Test
  void unloadUnderLoadAnswers503WithAReasonAndLoadRestoresService() throws Exception {
    try (Kiln k = start(ModelControl.EXPLICIT, null)) {
      LoadClients load = new LoadClients(k.httpPort(), "mlp", 6, Map.of("1", MLP));
      long unloadStart;
      long unloadEnd;
      long loadStart;
      long loadEnd;
      try {
        load.awaitEach(c -> c.status() == 200);
        unloadStart = System.nanoTime();
        assertThat(post(k, "/v2/repository/models/mlp/unload", "").statusCode()).isEqualTo(200);
        unloadEnd = System.nanoTime();
        load.awaitEach(c -> c.sent() > unloadEnd);
        loadStart = System.nanoTime();
        assertThat(post(k, "/v2/repository/models/mlp/load", "").statusCode()).isEqualTo(200);
        loadEnd = System.nanoTime();
        load.awaitEach(c -> c.sent() > loadEnd);
      } finally {
        load.close();
      }
      List<LoadClients.Call> calls = load.calls();

      assertThat(calls)
          .as("calls answered neither 200 with their own row's numbers nor 503 saying why")
          .filteredOn(c ->
              !(c.status() == 200 && c.detail().isEmpty())
                  && !(c.status() == 503 && c.detail().equals("model 'mlp' has no ready version")))
          .isEmpty();
      assertThat(calls)
          .filteredOn(c -> c.answered() < unloadStart)
          .as("before the unload")
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.status()).isEqualTo(200));
      assertThat(calls)
          .filteredOn(c -> c.sent() < unloadEnd && c.answered() > unloadStart)
          .as("calls in flight during the unload")
          .isNotEmpty();
      assertThat(calls)
          .filteredOn(c -> c.sent() > unloadEnd && c.answered() < loadStart)
          .as("while unloaded")
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.status()).isEqualTo(503));
      assertThat(calls)
          .filteredOn(c -> c.sent() > loadEnd)
          .as("after the load")
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.status()).isEqualTo(200));
    }
  }

  @Test
  void shutdownLetsRequestsInFlightFinish() throws Exception {
    // The batch goes out at 5 rows or after 3 s: the four requests wait in the batcher, with no way to be
    // dispatched early, until close() has started. The 3 s are only the time the four have to arrive.
    Kiln k =
        start(
            ModelControl.NONE,
            "{\"warmup\": false, \"max-batch-size\": 32, \"dynamic-batching\": "
                + "{\"max-queue-delay-us\": 3000000, \"preferred-batch-sizes\": [5]}}");
    List<float[]> rows = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      rows.add(ExampleModels.Mlp.randomRow(784, 12 + i));
      inFlight.add(postAsync(k, "/v2/models/mlp/infer", request(rows.get(i))));
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pending(k) < 4 && System.nanoTime() < until) {
      Thread.sleep(10); // wait until all four are accepted and waiting in the batcher
    }
    assertThat(pending(k)).isEqualTo(4);
    k.close();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = inFlight.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(floats(JSON.readTree(r.body()).at("/outputs/0/data")))
          .containsExactly(MLP.predict(rows.get(i)), within(1e-4f));
    }
    assertThat(k.core().ready()).isFalse();
  }

  private static double pending(Kiln k) {
    var g = k.registry().find("kiln.inference.pending").tag("model", "mlp").gauge();
    return g == null ? 0 : g.value();
  }

  @Test
  void pollingPicksUpANewVersion() throws Exception {
    try (Kiln k = start(ModelControl.POLL, null)) {
      assertThat(get(k, "/v2/models/mlp/versions/2/ready")).isEqualTo(404);
      ExampleModels.write(repo, "mlp", 2, MLP.onnx());
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (get(k, "/v2/models/mlp/versions/2/ready") != 200 && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      assertThat(get(k, "/v2/models/mlp/versions/2/ready")).isEqualTo(200);
      JsonNode r = JSON.readTree(post(k, "/v2/models/mlp/infer", request(new float[784])).body());
      assertThat(r.get("model_version").asText()).isEqualTo("2");
      assertThat(get(k, "/v2/models/mlp/versions/1/ready")).as("latest(1) retires v1").isEqualTo(404);
    }
  }

  @Test
  void aRepositoryThatDoesNotExistFailsTheStartWithItsName() {
    Path missing = repo.resolve("nope");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Kiln.start(KilnConfig.defaults(missing, 0, 0)))
        .hasMessageContaining("model repository not found");
  }
}
