package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelStreamInferResponse;
import dev.kiln.protocol.grpc.proto.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real {@code kiln serve} child while a ModelStreamInfer stream is open and requests are in flight over
 * REST, gRPC unary and the stream (issue 10 item 4). The model batches with a long queue delay, so the requests are
 * provably still in flight when the signal arrives.
 */
class ServeDrainTest {
  static final int IN = 16;
  static final int OUT = 4;
  static final ExampleModels.Mlp MLP = ExampleModels.Mlp.random(IN, 32, OUT, 7);
  static final Pattern PORTS = Pattern.compile("on [^ ]+:(\\d+), gRPC on [^ ]+:(\\d+)");
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  int httpPort;

  @Test
  void sigtermWithAnOpenStreamDrainsEveryProtocolAndExitsZero() throws Exception {
    Path repo = dir.resolve("models");
    ExampleModels.write(repo, "mlp", 1, MLP.onnx());
    // A request waits up to 10 s for others to join its batch: in flight long enough to send SIGTERM meanwhile,
    // even on a loaded machine where the 6 requests take seconds to arrive.
    Files.writeString(
        repo.resolve("mlp/config.json"),
        "{\"max-batch-size\": 64, \"dynamic-batching\": {\"max-queue-delay-us\": 10000000}}");
    Process child = startServe(repo);
    ManagedChannel channel = null;
    try {
      channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
      var async = GRPCInferenceServiceGrpc.newFutureStub(channel);
      var blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      StreamCollector stream = new StreamCollector();
      StreamObserver<ModelInferRequest> requests = GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(stream);
      // Warm every path first (one batch): a cold server takes seconds over its first gRPC call.
      requests.onNext(grpcRequest("s0", 0));
      CompletableFuture<HttpResponse<String>> warmRest = postInfer(restBody(0));
      var warmGrpc = async.modelInfer(grpcRequest("w", 0));
      assertThat(stream.responses.poll(60, TimeUnit.SECONDS)).as("stream answers before the drain").isNotNull();
      assertThat(warmRest.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertRow(floats(warmGrpc.get(60, TimeUnit.SECONDS).getRawOutputContents(0)), 0);

      List<CompletableFuture<HttpResponse<String>>> rest = new ArrayList<>();
      List<com.google.common.util.concurrent.ListenableFuture<ModelInferResponse>> unary = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        rest.add(postInfer(restBody(i)));
      }
      for (int i = 4; i <= 5; i++) {
        unary.add(async.modelInfer(grpcRequest("u" + i, i)));
      }
      requests.onNext(grpcRequest("s6", 6));
      await("6 requests queued in the server", () -> pending() == 6);

      long sigterm = System.nanoTime();
      child.destroy(); // SIGTERM

      await("REST readiness 503", () -> get("/v2/health/ready") == 503);
      assertThat(blocking.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
      HttpResponse<String> late = postInfer(restBody(9)).get(30, TimeUnit.SECONDS);
      assertThat(late.statusCode()).isEqualTo(503);
      // Draining responses close their connection, so no client sends on a keep-alive one the close will cut.
      assertThat(late.headers().firstValue("connection")).contains("close");
      Status refused =
          statusOf(() -> blocking.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(grpcRequest("late", 9)));
      assertThat(refused.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(rest).as("in-flight work still pending while new work is refused").noneMatch(f -> f.isDone());

      for (int i = 0; i < rest.size(); i++) {
        HttpResponse<String> r = rest.get(i).get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertRow(floats(JSON.readTree(r.body()).at("/outputs/0/data")), i + 1);
      }
      for (int i = 0; i < unary.size(); i++) {
        ModelInferResponse r = unary.get(i).get(30, TimeUnit.SECONDS);
        assertRow(floats(r.getRawOutputContents(0)), i + 4);
      }
      ModelStreamInferResponse last = stream.responses.poll(30, TimeUnit.SECONDS);
      assertThat(last).isNotNull();
      assertThat(last.getErrorMessage()).isEmpty();
      assertThat(last.getInferResponse().getId()).isEqualTo("s6");
      assertRow(floats(last.getInferResponse().getRawOutputContents(0)), 6);
      Status end = stream.end.get(30, TimeUnit.SECONDS);
      assertThat(end.getCode()).isIn(Status.Code.OK, Status.Code.UNAVAILABLE);
      assertThat(end.getDescription() == null ? "" : end.getDescription()).doesNotContain("closed", "RST");
      requests.onCompleted();

      // The drain timeout is 30 s; everything in flight is answered well before, so the exit follows at once.
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("exited within the drain timeout").isTrue();
      assertThat(child.exitValue()).isZero();
      System.out.printf("SIGTERM to exit: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm));
      assertThat(Files.readAllLines(log))
          .as("the drain logs no stack trace")
          .anyMatch(l -> l.contains("draining"))
          .noneMatch(l -> l.startsWith("\tat "));
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      child.destroyForcibly();
    }
  }

  int grpcPort;
  Path log;

  private Process startServe(Path repo) throws Exception {
    log = dir.resolve("kiln.log");
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // -Xss: on some machines (seen on a 2-vCPU VM that lists 52 processors) ONNX Runtime 1.29 needs more than
    // 2 MB of stack to create its environment and the child would die with SIGSEGV before serving.
    Process child =
        new ProcessBuilder(
                java,
                "-Xss8m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve",
                "--models",
                repo.toString(),
                "--http-port",
                "0",
                "--grpc-port",
                "0",
                "--no-database",
                "--no-training",
                "--drain-timeout",
                "30s",
                "--data",
                dir.resolve("data").toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (httpPort == 0 && child.isAlive() && System.nanoTime() < deadline) {
      Matcher m = PORTS.matcher(Files.exists(log) ? Files.readString(log) : "");
      if (m.find()) {
        httpPort = Integer.parseInt(m.group(1));
        grpcPort = Integer.parseInt(m.group(2));
      }
      Thread.sleep(50);
    }
    assertThat(httpPort)
        .as(
            "serve did not start (%s):\n%s",
            child.isAlive() ? "running" : "exit " + child.waitFor(), Files.readString(log))
        .isPositive();
    return child;
  }

  static float[] row(int seed) {
    return ExampleModels.Mlp.randomRow(IN, seed);
  }

  static void assertRow(float[] got, int seed) {
    float[] expected = MLP.predict(row(seed));
    assertThat(got).hasSize(OUT);
    for (int k = 0; k < OUT; k++) {
      assertThat(got[k]).isCloseTo(expected[k], within(1e-4f));
    }
  }

  static ModelInferRequest grpcRequest(String id, int seed) {
    ByteBuffer raw = ByteBuffer.allocate(IN * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(row(seed));
    return ModelInferRequest.newBuilder()
        .setModelName("mlp")
        .setId(id)
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("input")
                .setDatatype("FP32")
                .addShape(1)
                .addShape(IN))
        .addRawInputContents(ByteString.copyFrom(raw.array()))
        .build();
  }

  static String restBody(int seed) {
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + IN + "],\"data\":[");
    float[] x = row(seed);
    for (int i = 0; i < x.length; i++) {
      sb.append(i == 0 ? "" : ",").append(x[i]);
    }
    return sb.append("]}]}").toString();
  }

  static float[] floats(JsonNode a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }

  static float[] floats(ByteString raw) {
    float[] out = new float[raw.size() / 4];
    raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  CompletableFuture<HttpResponse<String>> postInfer(String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v2/models/mlp/infer"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  int get(String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).GET().build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Requests waiting in the model's queue, from the Prometheus endpoint. */
  int pending() {
    try {
      String text =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).GET().build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m = Pattern.compile("(?m)^kiln_inference_pending_requests\\{[^}]*} ([0-9.]+)").matcher(text);
      int sum = 0;
      while (m.find()) {
        sum += (int) Double.parseDouble(m.group(1));
      }
      return sum;
    } catch (Exception e) {
      return -1;
    }
  }

  static Status statusOf(Runnable call) {
    try {
      call.run();
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for: " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static final class StreamCollector implements StreamObserver<ModelStreamInferResponse> {
    final BlockingQueue<ModelStreamInferResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    @Override
    public void onNext(ModelStreamInferResponse r) {
      responses.add(r);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }
  }
}
