package dev.kiln.bench.drain;

import com.google.protobuf.ByteString;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelStreamInferResponse;
import dev.kiln.protocol.grpc.proto.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The clients and the readiness probes of one run; each records into the {@link Timeline}. */
final class Load implements AutoCloseable {
  private final Timeline t;
  private final String host;
  private final int httpPort;
  private final ManagedChannel channel;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Thread> threads = new ArrayList<>();
  private final String restBody;
  private final ModelInferRequest grpcRequest;
  private volatile boolean running = true;

  Load(Timeline t, String host, int httpPort, int grpcPort) {
    this.t = t;
    this.host = host;
    this.httpPort = httpPort;
    this.channel = ManagedChannelBuilder.forAddress(host, grpcPort).usePlaintext().build();
    float[] x = ExampleModels.Mlp.randomRow(784, 1);
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,784]," + "\"data\":[");
    for (int i = 0; i < x.length; i++) {
      sb.append(i == 0 ? "" : ",").append(x[i]);
    }
    this.restBody = sb.append("]}]}").toString();
    ByteBuffer raw = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(x);
    this.grpcRequest =
        ModelInferRequest.newBuilder()
            .setModelName("mlp")
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("input")
                    .setDatatype("FP32")
                    .addShape(1)
                    .addShape(784))
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .build();
  }

  /**
   * One answered call per protocol before the load: on a cold server the first gRPC call takes seconds (class loading
   * and JIT on a busy 2-core machine), which would count as "in flight" at the signal without being what the drain is
   * measured for.
   */
  void warmUp() throws Exception {
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    for (int i = 0; i < 20; i++) {
      stub.withDeadlineAfter(120, TimeUnit.SECONDS).modelInfer(grpcRequest);
      http.send(post(), HttpResponse.BodyHandlers.discarding());
    }
  }

  void start(int restClients, int grpcClients, int streamClients) {
    for (int i = 0; i < restClients; i++) {
      spawn(this::restLoop);
    }
    for (int i = 0; i < grpcClients; i++) {
      spawn(this::grpcLoop);
    }
    for (int i = 0; i < streamClients; i++) {
      spawn(this::streamLoop);
    }
    spawn(this::restReadiness);
    spawn(this::grpcReadiness);
  }

  private void spawn(Runnable r) {
    threads.add(Thread.ofPlatform().daemon().start(r));
  }

  private HttpRequest post() {
    return HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + "/v2/models/mlp/infer"))
        .timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofString(restBody))
        .build();
  }

  private void restLoop() {
    while (running) {
      long start = System.nanoTime();
      try {
        t.add("rest", start, Outcome.ofHttp(http.send(post(), HttpResponse.BodyHandlers.discarding()).statusCode()));
      } catch (Exception e) {
        t.add("rest", start, Outcome.ofHttp(e));
        pause();
      }
    }
  }

  private void grpcLoop() {
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    while (running) {
      long start = System.nanoTime();
      try {
        stub.withDeadlineAfter(120, TimeUnit.SECONDS).modelInfer(grpcRequest);
        t.add("grpc", start, Outcome.OK);
      } catch (RuntimeException e) {
        t.add("grpc", start, Outcome.ofGrpc(Status.fromThrowable(e)));
        pause();
      }
    }
  }

  /** One stream, one request at a time; a new stream when one ends, as a reconnecting client would. */
  private void streamLoop() {
    while (running) {
      LinkedBlockingQueue<Object> next = new LinkedBlockingQueue<>();
      CompletableFuture<Status> end = new CompletableFuture<>();
      StreamObserver<ModelInferRequest> requests =
          GRPCInferenceServiceGrpc.newStub(channel)
              .modelStreamInfer(
                  new StreamObserver<ModelStreamInferResponse>() {
                    @Override
                    public void onNext(ModelStreamInferResponse r) {
                      offer(next, r);
                    }

                    @Override
                    public void onError(Throwable e) {
                      end.complete(Status.fromThrowable(e));
                      offer(next, end);
                    }

                    @Override
                    public void onCompleted() {
                      end.complete(Status.OK);
                      offer(next, end);
                    }
                  });
      boolean answered = false;
      while (running && !end.isDone()) {
        long start = System.nanoTime();
        requests.onNext(grpcRequest);
        Object got = take(next);
        if (got instanceof ModelStreamInferResponse r) {
          answered = true;
          t.add("stream", start, r.getErrorMessage().isEmpty() ? Outcome.OK : Outcome.REFUSED);
        } else {
          t.add("stream", start, Outcome.ofGrpc(end.getNow(Status.UNKNOWN)));
          pause();
        }
      }
      if (answered && end.isDone() && System.nanoTime() >= t.sigterm) {
        Status s = end.join();
        t.streamEnds.add(s.getCode() + (s.getDescription() == null ? "" : " \"" + s.getDescription() + "\""));
      }
      if (!end.isDone()) {
        requests.onCompleted();
      }
    }
  }

  private void restReadiness() {
    while (running) {
      long at = System.nanoTime();
      int status;
      try {
        status =
            http.send(
                    HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + "/v2/health/ready"))
                        .GET()
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
      } catch (Exception e) {
        status = -1;
      }
      if (status != 200 && at >= t.sigterm) {
        Timeline.first(t.restNotReadyAt, at);
      }
      sleep(5);
    }
  }

  private void grpcReadiness() {
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    while (running) {
      long at = System.nanoTime();
      boolean ready;
      try {
        ready =
            stub.withDeadlineAfter(5, TimeUnit.SECONDS).serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
      } catch (RuntimeException e) {
        ready = false;
      }
      if (!ready && at >= t.sigterm) {
        Timeline.first(t.grpcNotReadyAt, at);
      }
      sleep(5);
    }
  }

  private static void offer(LinkedBlockingQueue<Object> q, Object o) {
    try {
      q.put(o);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Object take(LinkedBlockingQueue<Object> q) {
    try {
      Object o = q.poll(120, TimeUnit.SECONDS);
      return o == null ? Status.DEADLINE_EXCEEDED : o;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Status.CANCELLED;
    }
  }

  private void pause() {
    sleep(10); // a refused or failed call comes back at once; don't spin
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    for (Thread th : threads) {
      th.join(10_000);
    }
  }
}
