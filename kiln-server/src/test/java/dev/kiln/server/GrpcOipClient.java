package dev.kiln.server;

import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import dev.kiln.protocol.grpc.proto.ModelConfig;
import dev.kiln.protocol.grpc.proto.ModelConfigRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferInputTensor;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelInstanceGroup;
import dev.kiln.protocol.grpc.proto.ModelMetadataRequest;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
import dev.kiln.protocol.grpc.proto.ModelRepositoryParameter;
import dev.kiln.protocol.grpc.proto.ModelStatisticsRequest;
import dev.kiln.protocol.grpc.proto.ModelStatisticsResponse;
import dev.kiln.protocol.grpc.proto.ModelVersionPolicy;
import dev.kiln.protocol.grpc.proto.RepositoryIndexRequest;
import dev.kiln.protocol.grpc.proto.RepositoryIndexResponse;
import dev.kiln.protocol.grpc.proto.RepositoryModelLoadRequest;
import dev.kiln.protocol.grpc.proto.RepositoryModelUnloadRequest;
import dev.kiln.protocol.grpc.proto.ServerLiveRequest;
import dev.kiln.protocol.grpc.proto.ServerMetadataRequest;
import dev.kiln.protocol.grpc.proto.ServerMetadataResponse;
import dev.kiln.protocol.grpc.proto.ServerReadyRequest;
import dev.kiln.server.OipCall.Answer;
import dev.kiln.server.OipCall.Outcome;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The scenarios' calls over a real gRPC connection with grpc-java's generated stubs. */
final class GrpcOipClient implements OipCall.Client {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> ALIAS =
      Metadata.Key.of("kiln-model-alias", Metadata.ASCII_STRING_MARSHALLER);
  private final ManagedChannel channel;

  GrpcOipClient(ManagedChannel channel) {
    this.channel = channel;
  }

  @Override
  public Answer call(OipCall c, String token) {
    Metadata h = new Metadata();
    if (!token.isEmpty()) {
      h.put(AUTHORIZATION, "Bearer " + token);
    }
    if (!c.alias().isEmpty()) {
      h.put(ALIAS, c.alias());
    }
    GRPCInferenceServiceBlockingStub stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
    try {
      return answer(c, stub);
    } catch (StatusRuntimeException e) {
      Outcome o =
          switch (e.getStatus().getCode()) {
            case UNAUTHENTICATED -> Outcome.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Outcome.DENIED;
            case NOT_FOUND -> Outcome.NOT_FOUND;
            case INVALID_ARGUMENT -> Outcome.INVALID;
            case UNIMPLEMENTED -> Outcome.UNSUPPORTED;
            default -> Outcome.OTHER;
          };
      return Answer.failed(o, e.getStatus().toString());
    }
  }

  private static Answer answer(OipCall c, GRPCInferenceServiceBlockingStub stub) {
    Map<String, String> f = new LinkedHashMap<>();
    switch (c.op()) {
      case SERVER_LIVE -> ok(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
      case SERVER_READY -> ok(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      case SERVER_METADATA -> {
        ServerMetadataResponse m = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        f.put("name", m.getName());
        f.put("version", m.getVersion());
        f.put("extensions", String.join(",", m.getExtensionsList()));
      }
      case MODEL_READY -> {
        boolean ready =
            stub.modelReady(ModelReadyRequest.newBuilder().setName(c.model()).setVersion(c.version()).build())
                .getReady();
        if (!ready) {
          return Answer.failed(Outcome.NOT_READY, "ready: false");
        }
        f.put("ready", "true");
      }
      case MODEL_METADATA -> {
        ModelMetadataResponse m =
            stub.modelMetadata(ModelMetadataRequest.newBuilder().setName(c.model()).setVersion(c.version()).build());
        f.put("name", m.getName());
        f.put("versions", list(m.getVersionsList()));
        f.put("platform", m.getPlatform());
        f.put(
            "inputs",
            m.getInputsList().stream()
                .map(t -> t.getName() + ":" + t.getDatatype() + ":" + list(t.getShapeList()))
                .collect(Collectors.joining(",")));
      }
      case MODEL_CONFIG ->
          config(
              stub.modelConfig(ModelConfigRequest.newBuilder().setName(c.model()).setVersion(c.version()).build())
                  .getConfig(),
              f);
      case MODEL_STATISTICS, ALL_STATISTICS -> {
        ModelStatisticsResponse s =
            stub.modelStatistics(
                ModelStatisticsRequest.newBuilder().setName(c.model()).setVersion(c.version()).build());
        f.put(
            "model_stats",
            s.getModelStatsList().stream()
                .map(m -> m.getName() + "/" + m.getVersion())
                .collect(Collectors.joining(",")));
      }
      case INFER -> {
        ModelInferResponse r =
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName(c.model())
                    .setModelVersion(c.version())
                    .addInputs(input("a", 1, 2, 3, 4))
                    .addInputs(input("b", 1, 1, 1, 1))
                    .build());
        f.put("model_name", r.getModelName());
        f.put("model_version", r.getModelVersion());
      }
      case REPOSITORY_INDEX -> {
        RepositoryIndexResponse r = stub.repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
        f.put(
            "index",
            r.getModelsList().stream()
                .map(m -> m.getName() + "/" + m.getVersion() + "/" + m.getState())
                .collect(Collectors.joining(",")));
      }
      case REPOSITORY_LOAD ->
          stub.repositoryModelLoad(
              RepositoryModelLoadRequest.newBuilder().setModelName(c.model()).putAllParameters(parameters(c)).build());
      case REPOSITORY_UNLOAD ->
          stub.repositoryModelUnload(
              RepositoryModelUnloadRequest.newBuilder()
                  .setModelName(c.model())
                  .putAllParameters(parameters(c))
                  .build());
    }
    return new Answer(Outcome.OK, f, "OK");
  }

  private static void config(ModelConfig c, Map<String, String> f) {
    f.put("name", c.getName());
    f.put("platform", c.getPlatform());
    f.put("max_batch_size", Integer.toString(c.getMaxBatchSize()));
    f.put(
        "input",
        c.getInputList().stream()
            .map(t -> t.getName() + ":" + t.getDataType() + ":" + list(t.getDimsList()))
            .collect(Collectors.joining(",")));
    f.put(
        "output",
        c.getOutputList().stream()
            .map(t -> t.getName() + ":" + t.getDataType() + ":" + list(t.getDimsList()))
            .collect(Collectors.joining(",")));
    f.put(
        "dynamic_batching",
        c.hasDynamicBatching()
            ? list(c.getDynamicBatching().getPreferredBatchSizeList())
                + " "
                + c.getDynamicBatching().getMaxQueueDelayMicroseconds()
                + "us"
            : "none");
    ModelInstanceGroup group = c.getInstanceGroup(0);
    f.put("instance_group", group.getCount() + " " + group.getKind());
    ModelVersionPolicy vp = c.getVersionPolicy();
    f.put(
        "version_policy",
        switch (vp.getPolicyChoiceCase()) {
          case LATEST -> "latest " + vp.getLatest().getNumVersions();
          case ALL -> "all ";
          case SPECIFIC -> "specific " + list(vp.getSpecific().getVersionsList());
          case POLICYCHOICE_NOT_SET -> "not set";
        });
  }

  private static void ok(boolean flag) {
    if (!flag) {
      throw new AssertionError("a health probe answered false");
    }
  }

  private static Map<String, ModelRepositoryParameter> parameters(OipCall c) {
    return c.parameters().stream()
        .collect(Collectors.toMap(p -> p, p -> ModelRepositoryParameter.newBuilder().setBoolParam(true).build()));
  }

  private static InferInputTensor input(String name, float... values) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (float v : values) {
      contents.addFp32Contents(v);
    }
    return InferInputTensor.newBuilder()
        .setName(name)
        .setDatatype("FP32")
        .addShape(1)
        .addShape(values.length)
        .setContents(contents)
        .build();
  }

  /** A list as JSON writes it: {@code [1,2]}. */
  private static String list(List<?> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
  }
}
