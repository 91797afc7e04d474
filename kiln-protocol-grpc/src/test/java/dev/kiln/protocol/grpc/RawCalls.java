package dev.kiln.protocol.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** Sends arbitrary bytes as the request message of a real method name, as a hostile client can. */
final class RawCalls {
  static final String MODEL_INFER = "inference.GRPCInferenceService/ModelInfer";
  static final String MODEL_STREAM_INFER = "inference.GRPCInferenceService/ModelStreamInfer";

  private RawCalls() {}

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static MethodDescriptor<byte[], byte[]> method(String fullName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.newBuilder(BYTES, BYTES).setType(type).setFullMethodName(fullName).build();
  }

  /** One unary ModelInfer call carrying {@code body} as its message; throws StatusRuntimeException on failure. */
  static byte[] modelInfer(Channel channel, byte[] body) {
    return ClientCalls.blockingUnaryCall(
        channel,
        method(MODEL_INFER, MethodDescriptor.MethodType.UNARY),
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        body);
  }
}
