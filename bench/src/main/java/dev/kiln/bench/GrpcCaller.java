package dev.kiln.bench;

import com.google.protobuf.ByteString;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * gRPC {@code ModelInfer} the way {@code tritonclient.grpc} sends it: raw input contents in, raw output contents out.
 * Requests are built once per input row.
 */
final class GrpcCaller implements Caller {
  private static final int OUTPUT_BYTES = Workload.OUTPUTS * Float.BYTES;

  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
  private final ModelInferRequest[] requests;

  private GrpcCaller(GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub, ModelInferRequest[] requests) {
    this.stub = stub;
    this.requests = requests;
  }

  /**
   * Callers sharing one channel (one HTTP/2 connection, as a real client would keep). The channel gets its own event
   * loop, with threads named {@code bench-grpc-client-*}, because grpc-java otherwise shares one default event loop
   * group between every client and server in the process: the bench would then run its client I/O on the server's
   * threads, and the CPU it takes could not be told apart from the server's.
   */
  static Source source(String host, int port, String model, Workload workload) {
    ModelInferRequest[] requests = new ModelInferRequest[workload.rows().length];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = request(model, workload.rows()[i]);
    }
    EventLoopGroup loop =
        new MultiThreadIoEventLoopGroup(
            1, Thread.ofPlatform().daemon().name("bench-grpc-client-", 0).factory(), NioIoHandler.newFactory());
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(host, port)
            .usePlaintext()
            .eventLoopGroup(loop)
            .channelType(NioSocketChannel.class)
            .directExecutor() // blocking stubs run callbacks on the waiting worker anyway; no extra executor pool
            .build();
    return new Source() {
      @Override
      public Caller open() {
        return new GrpcCaller(GRPCInferenceServiceGrpc.newBlockingStub(channel), requests);
      }

      @Override
      public void close() {
        try {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    };
  }

  @Override
  public float[] call(int row, boolean decode) throws IOException {
    ModelInferResponse response = stub.modelInfer(requests[row]); // a failure status throws StatusRuntimeException
    if (response.getRawOutputContentsCount() != 1 || response.getRawOutputContents(0).size() != OUTPUT_BYTES) {
      throw new IOException("expected one raw output of " + OUTPUT_BYTES + " bytes");
    }
    if (!decode) {
      return null;
    }
    float[] y = new float[Workload.OUTPUTS];
    response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(y);
    return y;
  }

  private static ModelInferRequest request(String model, float[] row) {
    ByteBuffer raw = ByteBuffer.allocate(row.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(row);
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("input")
                .setDatatype("FP32")
                .addShape(1)
                .addShape(row.length))
        .addRawInputContents(ByteString.copyFrom(raw.array()))
        .build();
  }

  @Override
  public void close() {}
}
