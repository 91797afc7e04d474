package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.kiln.engine.onnx.ExampleModels;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole server started through {@link Kiln#start}, called over real HTTP and gRPC connections. */
class KilnServerTest {
  static final ExampleModels.Mlp MLP = ExampleModels.Mlp.random(784, 128, 10, 3);
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;

  Kiln start(ModelControl control, String mlpConfig) throws Exception {
    ExampleModels.write(repo, "mlp", 1, MLP.onnx());
    if (mlpConfig != null) {
      Files.writeString(repo.resolve("mlp/config.json"), mlpConfig);
    }
    return Kiln.start(KilnConfig.defaults(repo, 0, 0).withModelControl(control)
        .withPollInterval(Duration.ofMillis(200)));
  }

  static String request(float[] x) {
    StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,784],"
        + "\"data\":[");
    for (int i = 0; i < x.length; i++) {
      sb.append(i == 0 ? "" : ",").append(x[i]);
    }
    return sb.append("]}]}").toString();
  }

  HttpResponse<String> post(Kiln k, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> postAsync(Kiln k, String path, String body) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  int get(Kiln k, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.httpPort() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
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
      float[] rest = floats(JSON.readTree(post(k, "/v2/models/mlp/infer", request(x)).body())
          .at("/outputs/0/data"));
      ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", k.grpcPort()).usePlaintext().build();
      try {
        ByteBuffer raw = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(x);
        var resp = GRPCInferenceServiceGrpc.newBlockingStub(ch).modelInfer(ModelInferRequest.newBuilder()
            .setModelName("mlp").addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input")
                .setDatatype("FP32").addShape(1).addShape(784))
            .addRawInputContents(ByteString.copyFrom(raw.array())).build());
        float[] grpc = new float[10];
        resp.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .get(grpc);
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
  void reloadingUnderLoadFailsNoRequest() throws Exception {
    float[] x = ExampleModels.Mlp.randomRow(784, 10);
    String body = request(x);
    try (Kiln k = start(ModelControl.EXPLICIT, "{\"max-batch-size\": 8, \"dynamic-batching\": "
        + "{\"max-queue-delay-us\": 100}}")) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      ConcurrentHashMap<Integer, Integer> failures = new ConcurrentHashMap<>();
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        clients.add(Thread.ofPlatform().start(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<String> r = post(k, "/v2/models/mlp/infer", body);
              if (r.statusCode() == 200) {
                ok.incrementAndGet();
              } else {
                failures.merge(r.statusCode(), 1, Integer::sum);
              }
            } catch (Exception e) {
              failures.merge(-1, 1, Integer::sum);
            }
          }
        }));
      }
      for (int i = 0; i < 5; i++) {
        assertThat(post(k, "/v2/repository/models/mlp/load", "").statusCode()).isEqualTo(200);
      }
      stop.set(true);
      for (Thread t : clients) {
        t.join();
      }
      assertThat(failures).isEmpty();
      assertThat(ok.get()).isPositive();
    }
  }

  @Test
  void unloadUnderLoadAnswersCleanErrorsAndLoadRestoresService() throws Exception {
    String body = request(ExampleModels.Mlp.randomRow(784, 11));
    try (Kiln k = start(ModelControl.EXPLICIT, null)) {
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        inFlight.add(postAsync(k, "/v2/models/mlp/infer", body));
      }
      assertThat(post(k, "/v2/repository/models/mlp/unload", "").statusCode()).isEqualTo(200);
      for (var f : inFlight) {
        assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isIn(200, 404, 503);
      }
      assertThat(post(k, "/v2/models/mlp/infer", body).statusCode()).isIn(404, 503);
      assertThat(post(k, "/v2/repository/models/mlp/load", "").statusCode()).isEqualTo(200);
      assertThat(post(k, "/v2/models/mlp/infer", body).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shutdownLetsRequestsInFlightFinish() throws Exception {
    // A long queue delay keeps requests inside the batcher while close() starts.
    Kiln k = start(ModelControl.NONE, "{\"max-batch-size\": 32, \"dynamic-batching\": "
        + "{\"max-queue-delay-us\": 700000}}");
    String body = request(ExampleModels.Mlp.randomRow(784, 12));
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      inFlight.add(postAsync(k, "/v2/models/mlp/infer", body));
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pending(k) < 4 && System.nanoTime() < until) {
      Thread.sleep(10); // wait until all four are accepted and waiting in the batcher
    }
    assertThat(pending(k)).isEqualTo(4);
    k.close();
    for (var f : inFlight) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
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
