package dev.kiln.protocol.grpc;

import dev.kiln.core.oip.ModelRef;
import dev.kiln.core.oip.OipRulebook;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.InferenceRequest;
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
 * {@code inference.GRPCInferenceService}: each RPC decodes its request, makes one call on the {@link OipRulebook} (the
 * rules REST shares), and encodes the answer; failures go through {@link GrpcErrors}. Inference never blocks a gRPC
 * thread: the response is sent when the core's future completes.
 */
public final class GrpcInferenceService implements GRPCInferenceServiceGrpc.AsyncService, BindableService {
  private final OipRulebook oip;
  private final Executor blocking;
  private final OpenStreams streams;

  /**
   * @param blocking where calls that may take seconds (loading, unloading a model) run: the server calls the other
   *     methods on its network threads, which must never block
   */
  public GrpcInferenceService(InferenceCore core, Executor blocking) {
    this(core, blocking, new OpenStreams());
  }

  GrpcInferenceService(InferenceCore core, Executor blocking, OpenStreams streams) {
    this.oip = new OipRulebook(Objects.requireNonNull(core, "core"));
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.streams = Objects.requireNonNull(streams, "streams");
  }

  /** The service with the interceptors that read {@code triton_grpc_error} and {@code kiln-model-alias}. */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerInterceptors.intercept(
        GRPCInferenceServiceGrpc.bindService(this), new StreamErrorHeader(), new AliasHeader());
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
    unary(out, () -> ServerLiveResponse.newBuilder().setLive(oip.live()).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
    unary(out, () -> ServerReadyResponse.newBuilder().setReady(oip.ready()).build());
  }

  /** Ready or not for a known model or version; NOT_FOUND for an unknown one, as REST answers 404. */
  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
    unary(
        out,
        () ->
            ModelReadyResponse.newBuilder()
                .setReady(oip.modelReady(ref(request.getName(), request.getVersion())))
                .build());
  }

  @Override
  public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
    unary(out, () -> CoreMessages.server(oip.serverMetadata(List.of())));
  }

  @Override
  public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
    unary(out, () -> CoreMessages.metadata(oip.metadata(ref(request.getName(), request.getVersion()))));
  }

  @Override
  public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
    unary(out, () -> CoreMessages.config(oip.config(ref(request.getName(), request.getVersion()))));
  }

  /** One model's statistics, or every model's when the name is empty (which takes {@code manage:*}). */
  @Override
  public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> out) {
    unary(
        out,
        () ->
            CoreMessages.statistics(
                request.getName().isEmpty()
                    ? oip.allStatistics()
                    : oip.statistics(ref(request.getName(), request.getVersion()))));
  }

  @Override
  public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
    var grants = AccessInterceptor.GRANTS.get();
    unary(out, () -> CoreMessages.index(oip.index(request.getReady(), grants)));
  }

  @Override
  public void repositoryModelLoad(RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
    blocking.execute(() ->
        unary(
            out,
            () -> {
              oip.load(request.getModelName(), request.getParametersMap().keySet());
              return RepositoryModelLoadResponse.getDefaultInstance();
            }));
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest request, StreamObserver<RepositoryModelUnloadResponse> out) {
    blocking.execute(() ->
        unary(
            out,
            () -> {
              oip.unload(request.getModelName(), request.getParametersMap().keySet());
              return RepositoryModelUnloadResponse.getDefaultInstance();
            }));
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
    infer(request, AliasHeader.alias())
        .whenComplete((response, failure) -> {
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
    String alias = AliasHeader.alias(); // read now: the stream's messages may be handled outside this call's context
    return new InferStream(
        r -> infer(r, alias),
        (ServerCallStreamObserver<ModelStreamInferResponse>) out,
        StreamErrorHeader.closeOnError(),
        streams);
  }

  /** Decodes, runs and encodes one request; answers raw when the request came raw. Never throws. */
  CompletableFuture<ModelInferResponse> infer(ModelInferRequest request, String alias) {
    try {
      ModelRef ref = ModelRef.of(request.getModelName(), request.getModelVersion(), alias);
      InferenceRequest decoded = TensorCodec.decode(request);
      boolean raw = request.getRawInputContentsCount() > 0;
      return oip.infer(ref, decoded).thenApply(response -> TensorCodec.encode(response, raw));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The model a request names, with the call's {@code kiln-model-alias}. */
  private static ModelRef ref(String name, String version) {
    return ModelRef.of(name, version, AliasHeader.alias());
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
