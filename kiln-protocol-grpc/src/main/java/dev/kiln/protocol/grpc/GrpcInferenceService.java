package dev.kiln.protocol.grpc;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.ModelMetadata;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelConfigRequest;
import dev.kiln.protocol.grpc.proto.ModelConfigResponse;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelMetadataRequest;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
import dev.kiln.protocol.grpc.proto.ModelReadyResponse;
import dev.kiln.protocol.grpc.proto.ModelStatisticsRequest;
import dev.kiln.protocol.grpc.proto.ModelStatisticsResponse;
import dev.kiln.protocol.grpc.proto.ModelStreamInferResponse;
import dev.kiln.protocol.grpc.proto.RepositoryIndexRequest;
import dev.kiln.protocol.grpc.proto.RepositoryIndexResponse;
import dev.kiln.protocol.grpc.proto.RepositoryModelLoadRequest;
import dev.kiln.protocol.grpc.proto.RepositoryModelLoadResponse;
import dev.kiln.protocol.grpc.proto.RepositoryModelUnloadRequest;
import dev.kiln.protocol.grpc.proto.RepositoryModelUnloadResponse;
import dev.kiln.protocol.grpc.proto.ServerLiveRequest;
import dev.kiln.protocol.grpc.proto.ServerLiveResponse;
import dev.kiln.protocol.grpc.proto.ServerMetadataRequest;
import dev.kiln.protocol.grpc.proto.ServerMetadataResponse;
import dev.kiln.protocol.grpc.proto.ServerReadyRequest;
import dev.kiln.protocol.grpc.proto.ServerReadyResponse;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@code inference.GRPCInferenceService}: each RPC decodes its request, makes one call on {@link InferenceCore},
 * and encodes the answer; failures go through {@link GrpcErrors}. Inference never blocks a gRPC thread: the
 * response is sent when the core's future completes.
 */
public final class GrpcInferenceService implements GRPCInferenceServiceGrpc.AsyncService, BindableService {
  /** What {@code ServerMetadata} reports; names as in Triton's extension documents. */
  static final List<String> EXTENSIONS = List.of("model_repository", "model_configuration", "statistics");
  static final String SERVER_NAME = "kiln";

  private final InferenceCore core;
  private final Executor blocking;
  private final OpenStreams streams;

  /**
   * @param blocking where calls that may take seconds (loading, unloading a model) run: the server calls the
   *     other methods on its network threads, which must never block
   */
  public GrpcInferenceService(InferenceCore core, Executor blocking) {
    this(core, blocking, new OpenStreams());
  }

  GrpcInferenceService(InferenceCore core, Executor blocking, OpenStreams streams) {
    this.core = Objects.requireNonNull(core, "core");
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  /** The service with the interceptor that reads {@code triton_grpc_error}. */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerInterceptors.intercept(GRPCInferenceServiceGrpc.bindService(this), new StreamErrorHeader());
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
    unary(out, () -> ServerLiveResponse.newBuilder().setLive(core.live()).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
    unary(out, () -> ServerReadyResponse.newBuilder().setReady(core.ready()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
    unary(out, () -> ModelReadyResponse.newBuilder().setReady(ready(request.getName(), request.getVersion())).build());
  }

  @Override
  public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
    unary(out, () -> ServerMetadataResponse.newBuilder()
        .setName(SERVER_NAME)
        .setVersion(ServerVersion.get())
        .addAllExtensions(EXTENSIONS)
        .build());
  }

  @Override
  public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
    unary(out, () -> CoreMessages.metadata(core.metadata(core.target(request.getName(), request.getVersion()))));
  }

  @Override
  public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
    unary(out, () -> {
      // Metadata first: it resolves the version, so an unknown one is NOT_FOUND here too.
      ModelMetadata m = core.metadata(core.target(request.getName(), request.getVersion()));
      return ModelConfigResponse.newBuilder()
          .setConfig(CoreMessages.config(core.config(request.getName()), m)).build();
    });
  }

  @Override
  public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> out) {
    // An empty name asks for every model (the version is then ignored).
    unary(out, () -> CoreMessages.statistics(request.getName().isEmpty() ? core.statistics()
        : core.statistics(core.target(request.getName(), request.getVersion()))));
  }

  @Override
  public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
    var grants = AccessInterceptor.GRANTS.get();
    unary(out, () -> CoreMessages.index(core.index(request.getReady()).stream()
        .filter(e -> grants.sees(e.name())).toList()));
  }

  @Override
  public void repositoryModelLoad(RepositoryModelLoadRequest request,
      StreamObserver<RepositoryModelLoadResponse> out) {
    blocking.execute(() -> unary(out, () -> {
      // Triton accepts a config override and model files here; Kiln loads only what the repository holds, and
      // silently ignoring an override would serve something other than what the caller asked for.
      if (request.getParametersCount() > 0) {
        throw KilnException.unsupported("load parameters are not supported: "
            + String.join(", ", request.getParametersMap().keySet()));
      }
      core.load(request.getModelName());
      return RepositoryModelLoadResponse.getDefaultInstance();
    }));
  }

  @Override
  public void repositoryModelUnload(RepositoryModelUnloadRequest request,
      StreamObserver<RepositoryModelUnloadResponse> out) {
    // Parameters (unload_dependents) are ignored: Kiln has no ensembles, so there are no dependents.
    blocking.execute(() -> unary(out, () -> {
      core.unload(request.getModelName());
      return RepositoryModelUnloadResponse.getDefaultInstance();
    }));
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
    infer(request).whenComplete((response, failure) -> {
      if (failure != null) {
        out.onError(GrpcErrors.exception(failure));
      } else {
        out.onNext(response);
        out.onCompleted();
      }
    });
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> out) {
    return new InferStream(this::infer, (ServerCallStreamObserver<ModelStreamInferResponse>) out,
        StreamErrorHeader.closeOnError(), streams);
  }

  /** Decodes, runs and encodes one request; answers raw when the request came raw. Never throws. */
  CompletableFuture<ModelInferResponse> infer(ModelInferRequest request) {
    try {
      InferenceRequest decoded = TensorCodec.decode(request);
      boolean raw = request.getRawInputContentsCount() > 0;
      return core.infer(core.target(request.getModelName(), request.getModelVersion()), decoded)
          .thenApply(response -> TensorCodec.encode(response, raw));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Whether the model (or version) serves now; a reference that names nothing servable is simply not ready. */
  private boolean ready(String ref, String version) {
    try {
      return core.modelReady(core.target(ref, version));
    } catch (KilnException e) {
      return false;
    }
  }

  private static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (RuntimeException e) {
      out.onError(GrpcErrors.exception(e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
