package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.Requests.floats;
import static dev.kiln.protocol.grpc.StatusAssert.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.serving.InferenceCore;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelStreamInferResponse;
import dev.kiln.protocol.grpc.proto.ServerLiveRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Netty listener on a free port, called by a real grpc-java client over TCP. */
class GrpcServerTest {
  private static final int ONE_MIB = 1024 * 1024;

  @TempDir static Path root;
  private static InferenceCore core;

  @BeforeAll
  static void startCore() {
    core = TestCore.start(root);
  }

  @AfterAll
  static void stopCore() {
    core.close();
  }

  private static ManagedChannel connect(GrpcServer server) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  private static void shutdown(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void mlpInferenceAndHealthWorkOverARealPort() throws Exception {
    try (GrpcServer server = GrpcServer.start(core, GrpcSettings.of("127.0.0.1", 0))) {
      assertThat(server.port()).isPositive();
      ManagedChannel channel = connect(server);
      try {
        GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        float[] x = ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 11);
        ModelInferResponse r = stub.modelInfer(Requests.mlpRaw("r1", x, 1));
        float[] y = floats(r.getRawOutputContents(0));
        float[] expected = TestCore.MLP.predict(x);
        for (int k = 0; k < TestCore.MLP_OUTPUTS; k++) {
          assertThat(y[k]).isCloseTo(expected[k], within(1e-4f));
        }
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(ServingStatus.SERVING);
      } finally {
        shutdown(channel);
      }
    }
  }

  @Test
  void messageOverTheInboundLimitIsResourceExhaustedWhileASmallerOneWorks() throws Exception {
    GrpcSettings settings = GrpcSettings.of("127.0.0.1", 0).withMaxInboundMessageBytes(ONE_MIB);
    try (GrpcServer server = GrpcServer.start(core, settings)) {
      ManagedChannel channel = connect(server);
      try {
        GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        int fits = ONE_MIB / (4 * TestCore.MLP_INPUTS) - 64;
        assertThat(
                stub.modelInfer(Requests.mlpRaw("", new float[fits * TestCore.MLP_INPUTS], fits))
                    .getOutputs(0)
                    .getShape(0))
            .isEqualTo(fits);
        int tooMany = ONE_MIB / (4 * TestCore.MLP_INPUTS) + 64;
        assertStatus(
            () -> stub.modelInfer(Requests.mlpRaw("", new float[tooMany * TestCore.MLP_INPUTS], tooMany)),
            Status.Code.RESOURCE_EXHAUSTED);
        // The connection survives the refusal.
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
      } finally {
        shutdown(channel);
      }
    }
  }

  @Test
  void closedServerRefusesNewCalls() throws Exception {
    GrpcServer server = GrpcServer.start(core, GrpcSettings.of("127.0.0.1", 0));
    ManagedChannel channel = connect(server);
    try {
      GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
      server.stop(Duration.ofSeconds(5));
      assertThatThrownBy(
              () -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).serverLive(ServerLiveRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      shutdown(channel);
    }
  }

  @Test
  void stopEndsAnOpenStreamWithUnavailableAfterItsResponsesInsteadOfWaitingOutTheGrace() throws Exception {
    GrpcServer server = GrpcServer.start(core, GrpcSettings.of("127.0.0.1", 0));
    ManagedChannel channel = connect(server);
    try {
      java.util.concurrent.BlockingQueue<ModelStreamInferResponse> responses =
          new java.util.concurrent.LinkedBlockingQueue<>();
      CompletableFuture<Status> end = new CompletableFuture<>();
      StreamObserver<ModelInferRequest> requests =
          GRPCInferenceServiceGrpc.newStub(channel)
              .modelStreamInfer(
                  new StreamObserver<>() {
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
                  });
      float[] x = ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 3);
      requests.onNext(Requests.mlpRaw("a", x, 1));
      assertThat(responses.poll(30, TimeUnit.SECONDS)).isNotNull();
      // A grace far longer than the test waits: the stream must be ended, not waited for.
      CompletableFuture.runAsync(() -> server.stop(Duration.ofMinutes(5)));
      Status status = end.get(30, TimeUnit.SECONDS);
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription()).isEqualTo("server is shutting down");
    } finally {
      shutdown(channel);
      server.stop(Duration.ofSeconds(5));
    }
  }

  @Test
  void settingsRejectImpossibleValues() {
    assertThatThrownBy(() -> GrpcSettings.of("127.0.0.1", 70_000)).hasMessageContaining("port");
    assertThatThrownBy(() -> GrpcSettings.of(" ", 0)).hasMessageContaining("host");
    assertThatThrownBy(() -> GrpcSettings.of("127.0.0.1", 0).withMaxInboundMessageBytes(0))
        .hasMessageContaining("max-inbound-message-bytes");
  }
}
