package dev.kiln.cli;

import com.google.protobuf.ByteString;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/** The demo's gRPC call, made the way tritonclient makes it: raw input contents in, raw output contents out. */
final class DemoGrpc {
  private DemoGrpc() {}

  static float[] infer(int port, float[] x) throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      ByteBuffer raw = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      raw.asFloatBuffer().put(x);
      ModelInferRequest req =
          ModelInferRequest.newBuilder()
              .setModelName("digits")
              .addInputs(
                  ModelInferRequest.InferInputTensor.newBuilder()
                      .setName("input")
                      .setDatatype("FP32")
                      .addShape(1)
                      .addShape(x.length))
              .addRawInputContents(ByteString.copyFrom(raw.array()))
              .build();
      ModelInferResponse resp =
          GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(req);
      float[] y = new float[10];
      resp.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(y);
      return y;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
