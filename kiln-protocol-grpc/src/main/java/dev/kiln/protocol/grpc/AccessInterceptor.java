package dev.kiln.protocol.grpc;

import dev.kiln.core.access.Caller;
import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Grants;
import dev.kiln.core.access.ModelRefs;
import dev.kiln.core.access.Permission;
import dev.kiln.core.oip.OipOperation;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelConfigRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelMetadataRequest;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
import dev.kiln.protocol.grpc.proto.ModelStatisticsRequest;
import dev.kiln.protocol.grpc.proto.RepositoryModelLoadRequest;
import dev.kiln.protocol.grpc.proto.RepositoryModelUnloadRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Asks the gate about every call. The permission comes from the method; the model, for per-model scopes and limits,
 * from the request message, so calls that name a model are decided when their message arrives (each message of a stream
 * is decided on its own). Methods not listed here require {@link Permission#ADMIN}.
 */
final class AccessInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * A method's requirement: the permission, and how to read the model from its message (null: none). A message that
   * names no model (an empty name) needs {@code unnamed} on every model: for ModelStatistics that is {@link
   * OipOperation#ALL_STATISTICS}'s permission, for the rest the same permission.
   */
  record Rule(Permission permission, Function<Object, String> model, Permission unnamed) {
    Permission permissionFor(String model) {
      return model == null ? unnamed : permission;
    }
  }

  /** The OIP methods' requirements come from {@link OipOperation}, the table REST's routes use too. */
  static final Map<String, Rule> RULES =
      Map.ofEntries(
          rule(GRPCInferenceServiceGrpc.getServerLiveMethod(), OipOperation.SERVER_LIVE, null),
          rule(GRPCInferenceServiceGrpc.getServerReadyMethod(), OipOperation.SERVER_READY, null),
          Map.entry(HealthGrpc.getCheckMethod().getFullMethodName(), new Rule(Permission.OPEN, null, Permission.OPEN)),
          Map.entry(HealthGrpc.getWatchMethod().getFullMethodName(), new Rule(Permission.OPEN, null, Permission.OPEN)),
          rule(GRPCInferenceServiceGrpc.getServerMetadataMethod(), OipOperation.SERVER_METADATA, null),
          rule(
              GRPCInferenceServiceGrpc.getModelReadyMethod(),
              OipOperation.MODEL_READY,
              m -> ((ModelReadyRequest) m).getName()),
          rule(
              GRPCInferenceServiceGrpc.getModelMetadataMethod(),
              OipOperation.MODEL_METADATA,
              m -> ((ModelMetadataRequest) m).getName()),
          rule(
              GRPCInferenceServiceGrpc.getModelInferMethod(),
              OipOperation.INFER,
              m -> ((ModelInferRequest) m).getModelName()),
          rule(
              GRPCInferenceServiceGrpc.getModelStreamInferMethod(),
              OipOperation.INFER,
              m -> ((ModelInferRequest) m).getModelName()),
          rule(
              GRPCInferenceServiceGrpc.getModelConfigMethod(),
              OipOperation.MODEL_CONFIG,
              m -> ((ModelConfigRequest) m).getName()),
          Map.entry(
              GRPCInferenceServiceGrpc.getModelStatisticsMethod().getFullMethodName(),
              new Rule(
                  OipOperation.MODEL_STATISTICS.permission(),
                  m -> emptyToNull(((ModelStatisticsRequest) m).getName()),
                  OipOperation.ALL_STATISTICS.permission())),
          // Any key may ask; each sees the models it may call or change (see GRANTS).
          rule(GRPCInferenceServiceGrpc.getRepositoryIndexMethod(), OipOperation.REPOSITORY_INDEX, null),
          rule(
              GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod(),
              OipOperation.REPOSITORY_LOAD,
              m -> ((RepositoryModelLoadRequest) m).getModelName()),
          rule(
              GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod(),
              OipOperation.REPOSITORY_UNLOAD,
              m -> ((RepositoryModelUnloadRequest) m).getModelName()));

  private static final Rule DEFAULT = new Rule(Permission.ADMIN, null, Permission.ADMIN);

  /**
   * What the gate allowed the caller of a call that names no model, for services that filter what they answer (the
   * repository index). Everything where no gate is asked: auth off, or a server without this interceptor.
   */
  static final Context.Key<Grants> GRANTS = Context.keyWithDefault("kiln.grants", Grants.all("anonymous"));

  private final Gate gate;

  AccessInterceptor(Gate gate) {
    this.gate = gate;
  }

  private static Map.Entry<String, Rule> rule(
      MethodDescriptor<?, ?> method, OipOperation op, Function<Object, String> model) {
    return Map.entry(method.getFullMethodName(), new Rule(op.permission(), model, op.permission()));
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Rule rule = RULES.getOrDefault(call.getMethodDescriptor().getFullMethodName(), DEFAULT);
    if (rule.permission() == Permission.OPEN || gate == Gate.OPEN) {
      return next.startCall(call, headers);
    }
    Caller caller =
        new Caller(
            Caller.bearer(headers.get(AUTHORIZATION)),
            null, // no browser sessions over gRPC
            String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
    if (rule.model() == null) {
      Grants allowed;
      try {
        allowed = gate.check(caller, rule.permission(), null);
      } catch (RuntimeException refused) { // a refusal, or the gate's own failure: ended like any failed call
        call.close(GrpcErrors.status(refused), GrpcErrors.trailers(refused));
        return new ServerCall.Listener<>() {};
      }
      return Contexts.interceptCall(Context.current().withValue(GRANTS, allowed), call, headers, next);
    }
    MeteredCall<Q, R> metered = new MeteredCall<>(call, gate, rule.permission() == Permission.INVOKE);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(metered, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        String ref = rule.model().apply(message);
        String model = ref == null ? null : ModelRefs.name(ref); // null: the call names no one model
        Grants allowed;
        try {
          allowed = gate.check(caller, rule.permissionFor(model), model);
        } catch (RuntimeException e) {
          refused = true;
          metered.refuse(GrpcErrors.status(e), GrpcErrors.trailers(e));
          return;
        }
        metered.allowed(allowed.principal(), model, rows(message));
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  /**
   * The rows (batch entries) an infer message carries, for usage: the first dimension of its first input (1 for a
   * scalar); 0 for other messages.
   */
  static long rows(Object message) {
    if (!(message instanceof ModelInferRequest m) || m.getInputsCount() == 0) {
      return 0;
    }
    ModelInferRequest.InferInputTensor first = m.getInputs(0);
    return first.getShapeCount() == 0 ? 1 : Math.max(0, first.getShape(0));
  }

  /**
   * A call that reports how an allowed model call ended, for usage accounting. A stream's rows are those of every
   * message it was allowed to send; they count only when the call ends well, as REST counts only answered rows.
   */
  private static final class MeteredCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final Gate gate;
    private final boolean meter;
    private volatile String principal;
    private volatile String model;
    private volatile long start;
    private final AtomicLong rows = new AtomicLong();
    private volatile boolean closed;

    MeteredCall(ServerCall<Q, R> call, Gate gate, boolean meter) {
      super(call);
      this.gate = gate;
      this.meter = meter;
    }

    void allowed(String who, String about, long n) {
      principal = who;
      model = about;
      start = System.nanoTime();
      rows.addAndGet(n);
    }

    synchronized void refuse(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) {
        return;
      }
      closed = true;
      if (meter && principal != null) {
        gate.finished(principal, model, status.isOk(), status.isOk() ? rows.get() : 0, System.nanoTime() - start);
      }
      super.close(status, trailers);
    }
  }
}
