package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.StatusAssert.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Grants;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.ServerMetadataRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate's refusals over a real port, for calls decided before their message (server metadata) and on it (inference):
 * each is the gate's {@link KilnException} through the one table, a rate limit's retry-after in the {@code retry-after}
 * trailer.
 */
class GrpcRefusalTest {
  /** Token "limited" is over its limit for 42.3 s, "nope" lacks the scope, "good" may call; no token is unknown. */
  private static final Gate GATE =
      (caller, permission, model) ->
          switch (String.valueOf(caller.token())) {
            case "good" -> Grants.all("k1");
            case "limited" ->
                throw KilnException.rateLimited(
                    "rate limit of 3 requests per minute reached for key k2", Duration.ofMillis(42_300));
            case "nope" -> throw KilnException.denied("key k3 may not invoke model 'mlp'");
            default -> throw KilnException.unauthenticated("an API key is required");
          };

  @TempDir static Path root;
  private static InferenceCore core;
  private static GrpcServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    core = TestCore.start(root);
    server = GrpcServer.start(core, GrpcSettings.of("127.0.0.1", 0), GATE);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    core.close();
  }

  private static GRPCInferenceServiceBlockingStub as(String token) {
    Metadata m = new Metadata();
    if (token != null) {
      m.put(AccessInterceptor.AUTHORIZATION, "Bearer " + token);
    }
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private static Metadata trailers(ThrowingCallable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call).getTrailers();
  }

  @Test
  void aRateLimitIsResourceExhaustedWithRetryAfterInTheTrailers() {
    float[] x = new float[TestCore.MLP_INPUTS];
    ThrowingCallable infer = () -> as("limited").modelInfer(Requests.mlpRaw("", x, 1));
    ThrowingCallable metadata = () -> as("limited").serverMetadata(ServerMetadataRequest.getDefaultInstance());
    for (ThrowingCallable call : new ThrowingCallable[] {infer, metadata}) {
      assertStatus(call, Status.Code.RESOURCE_EXHAUSTED, "3 requests per minute");
      assertThat(trailers(call).get(GrpcErrors.RETRY_AFTER)).isEqualTo("43");
    }
  }

  @Test
  void otherRefusalsHaveTheirCodeAndNoRetryAfter() {
    float[] x = new float[TestCore.MLP_INPUTS];
    ThrowingCallable denied = () -> as("nope").modelInfer(Requests.mlpRaw("", x, 1));
    assertStatus(denied, Status.Code.PERMISSION_DENIED, "may not invoke model 'mlp'");
    assertThat(trailers(denied).get(GrpcErrors.RETRY_AFTER)).isNull();
    assertStatus(
        () -> as(null).serverMetadata(ServerMetadataRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "an API key is required");
    assertThat(as("good").modelInfer(Requests.mlpRaw("", x, 1)).getOutputsCount()).isEqualTo(1);
  }
}
