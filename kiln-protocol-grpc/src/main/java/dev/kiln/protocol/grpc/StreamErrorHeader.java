package dev.kiln.protocol.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Reads Triton's {@code triton_grpc_error: true} request header. By default a failed request on {@code
 * ModelStreamInfer} is answered with {@code error_message} and the stream stays open; clients that send the header ask
 * instead for the stream to be closed with the gRPC status, which tritonclient does when its caller wants real status
 * codes.
 */
final class StreamErrorHeader implements ServerInterceptor {
  static final Metadata.Key<String> HEADER = Metadata.Key.of("triton_grpc_error", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Boolean> CLOSE_ON_ERROR = Context.keyWithDefault("kiln.close-on-error", false);

  /** Whether the call being handled asked to have its stream closed on the first error. */
  static boolean closeOnError() {
    return CLOSE_ON_ERROR.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!"true".equalsIgnoreCase(headers.get(HEADER))) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(CLOSE_ON_ERROR, true), call, headers, next);
  }
}
