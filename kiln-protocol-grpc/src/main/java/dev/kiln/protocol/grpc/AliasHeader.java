package dev.kiln.protocol.grpc;

import dev.kiln.core.oip.ModelRef;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Reads request metadata {@code kiln-model-alias} ({@link ModelRef#ALIAS_KEY}), the gRPC twin of the REST header of the
 * same name: it names the version a call is about by alias, for clients whose stubs cannot put {@code model@alias} in
 * the name field. An alias in the name wins.
 */
final class AliasHeader implements ServerInterceptor {
  static final Metadata.Key<String> KEY = Metadata.Key.of(ModelRef.ALIAS_KEY, Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> ALIAS = Context.keyWithDefault("kiln.model-alias", "");

  /** The alias the call being handled sent, empty for none. */
  static String alias() {
    return ALIAS.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String alias = headers.get(KEY);
    if (alias == null || alias.isEmpty()) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(ALIAS, alias), call, headers, next);
  }
}
