package dev.kiln.deploy;

import com.google.protobuf.ByteString;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** gRPC clients of {@link NginxReplicasTest}: KServe v2 ModelInfer through nginx's HTTP/2 listener. */
final class GrpcClients {
  private GrpcClients() {}

  /**
   * A channel that retries UNAVAILABLE, as gRPC's retry design intends: nginx retries an RPC on another replica only
   * when it could not send it (it proxies gRPC bodies unbuffered, and never resends those), so a draining replica's
   * UNAVAILABLE (inside an HTTP 200) and nginx's 502 for a replica killed mid-call reach the client. The RPC is a read.
   */
  static ManagedChannel channel(int port) {
    if (!Boolean.parseBoolean(System.getProperty("kiln.nginx.grpc-retry", "true"))) {
      // Only to count what nginx alone lets through (BENCHMARKS.md, "Replicas behind nginx"); the test then fails.
      return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().disableRetry().build();
    }
    Map<String, Object> retry =
        Map.of(
            "maxAttempts",
            5.0,
            "initialBackoff",
            "0.05s",
            "maxBackoff",
            "1s",
            "backoffMultiplier",
            2.0,
            "retryableStatusCodes",
            List.of("UNAVAILABLE"));
    Map<String, Object> method =
        Map.of("name", List.of(Map.of("service", "inference.GRPCInferenceService")), "retryPolicy", retry);
    return ManagedChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .enableRetry()
        .defaultServiceConfig(Map.of("methodConfig", List.of(method)))
        .build();
  }

  /** One ModelInfer of the test's MLP; the failure, or empty when it answered with 4 outputs. */
  static Optional<String> infer(ManagedChannel channel, int inputs) {
    ByteBuffer raw = ByteBuffer.allocate(inputs * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(ExampleModels.Mlp.randomRow(inputs, 1));
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("mlp")
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("input")
                    .setDatatype("FP32")
                    .addShape(1)
                    .addShape(inputs))
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .build();
    try {
      ModelInferResponse r =
          GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request);
      return r.getRawOutputContents(0).size() == 16 ? Optional.empty() : Optional.of("gRPC short answer " + r);
    } catch (StatusRuntimeException e) {
      return Optional.of("gRPC " + e.getStatus());
    }
  }
}
