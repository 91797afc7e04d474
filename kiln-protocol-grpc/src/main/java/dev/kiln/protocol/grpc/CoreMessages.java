package dev.kiln.protocol.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.model.VersionPolicy;
import dev.kiln.core.oip.ModelConfigView;
import dev.kiln.core.oip.ServerMetadata;
import dev.kiln.core.serving.ModelMetadata;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.core.serving.Statistics;
import dev.kiln.protocol.grpc.proto.DataType;
import dev.kiln.protocol.grpc.proto.InferParameter;
import dev.kiln.protocol.grpc.proto.InferStatistics;
import dev.kiln.protocol.grpc.proto.ModelConfig;
import dev.kiln.protocol.grpc.proto.ModelConfigResponse;
import dev.kiln.protocol.grpc.proto.ModelDynamicBatching;
import dev.kiln.protocol.grpc.proto.ModelInput;
import dev.kiln.protocol.grpc.proto.ModelInstanceGroup;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse.TensorMetadata;
import dev.kiln.protocol.grpc.proto.ModelOutput;
import dev.kiln.protocol.grpc.proto.ModelStatistics;
import dev.kiln.protocol.grpc.proto.ModelStatisticsResponse;
import dev.kiln.protocol.grpc.proto.ModelVersionPolicy;
import dev.kiln.protocol.grpc.proto.RepositoryIndexResponse;
import dev.kiln.protocol.grpc.proto.RepositoryIndexResponse.ModelIndex;
import dev.kiln.protocol.grpc.proto.ServerMetadataResponse;
import dev.kiln.protocol.grpc.proto.StatisticDuration;
import java.util.Arrays;
import java.util.List;

/** The core's views (server and model metadata, configuration, statistics, repository index) as protocol messages. */
final class CoreMessages {
  /**
   * The tensor metadata parameter naming the last dimension's entries: a JSON array of strings, as REST shows them in
   * the tensor's {@code parameters.columns}.
   */
  static final String COLUMNS = "columns";

  private static final ObjectMapper JSON = new ObjectMapper();

  private CoreMessages() {}

  static ModelMetadataResponse metadata(ModelMetadata m) {
    ModelMetadataResponse.Builder b =
        ModelMetadataResponse.newBuilder().setName(m.name()).addAllVersions(m.versions()).setPlatform(m.platform());
    for (TensorSpec s : m.signature().inputs()) {
      b.addInputs(tensor(s));
    }
    for (TensorSpec s : m.signature().outputs()) {
      b.addOutputs(tensor(s));
    }
    return b.build();
  }

  /** Triton's model configuration message; see {@link ModelConfigView}. */
  static ModelConfigResponse config(ModelConfigView c) {
    ModelConfig.Builder b =
        ModelConfig.newBuilder()
            .setName(c.name())
            .setPlatform(c.platform())
            .setMaxBatchSize(c.maxBatchSize())
            .setVersionPolicy(versionPolicy(c.versionPolicy()))
            .addInstanceGroup(
                ModelInstanceGroup.newBuilder()
                    .setCount(c.instanceCount())
                    .setKind(ModelInstanceGroup.Kind.valueOf(ModelConfigView.INSTANCE_KIND)));
    for (ModelConfigView.Tensor t : c.inputs()) {
      b.addInput(
          ModelInput.newBuilder().setName(t.name()).setDataType(DataType.valueOf(t.dataType())).addAllDims(t.dims()));
    }
    for (ModelConfigView.Tensor t : c.outputs()) {
      b.addOutput(
          ModelOutput.newBuilder().setName(t.name()).setDataType(DataType.valueOf(t.dataType())).addAllDims(t.dims()));
    }
    c.dynamicBatching()
        .ifPresent(d ->
            b.setDynamicBatching(
                ModelDynamicBatching.newBuilder()
                    .addAllPreferredBatchSize(d.preferredBatchSizes())
                    .setMaxQueueDelayMicroseconds(d.maxQueueDelayMicroseconds())));
    return ModelConfigResponse.newBuilder().setConfig(b).build();
  }

  static ServerMetadataResponse server(ServerMetadata m) {
    return ServerMetadataResponse.newBuilder()
        .setName(m.name())
        .setVersion(m.version())
        .addAllExtensions(m.extensions())
        .build();
  }

  private static ModelVersionPolicy versionPolicy(VersionPolicy p) {
    ModelVersionPolicy.Builder b = ModelVersionPolicy.newBuilder();
    switch (p) {
      case VersionPolicy.Latest l -> b.setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(l.n()));
      case VersionPolicy.All a -> b.setAll(ModelVersionPolicy.All.getDefaultInstance());
      case VersionPolicy.Specific s ->
          b.setSpecific(ModelVersionPolicy.Specific.newBuilder().addAllVersions(s.versions()));
    }
    return b.build();
  }

  static ModelStatisticsResponse statistics(List<Statistics> all) {
    ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
    for (Statistics s : all) {
      b.addModelStats(
          ModelStatistics.newBuilder()
              .setName(s.name())
              .setVersion(s.version())
              .setLastInference(s.lastInferenceMillis())
              .setInferenceCount(s.inferenceCount())
              .setExecutionCount(s.executionCount())
              .setInferenceStats(
                  InferStatistics.newBuilder()
                      .setSuccess(duration(s.success()))
                      .setFail(duration(s.fail()))
                      .setQueue(duration(s.queue()))
                      .setComputeInfer(duration(s.computeInfer()))));
    }
    return b.build();
  }

  static RepositoryIndexResponse index(List<RepositoryEntry> entries) {
    RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
    for (RepositoryEntry e : entries) {
      b.addModels(
          ModelIndex.newBuilder()
              .setName(e.name())
              .setVersion(e.version())
              .setState(e.state().name())
              .setReason(e.reason()));
    }
    return b.build();
  }

  private static TensorMetadata tensor(TensorSpec s) {
    TensorMetadata.Builder b =
        TensorMetadata.newBuilder()
            .setName(s.name())
            .setDatatype(s.datatype().name())
            .addAllShape(Arrays.stream(s.shape()).boxed().toList());
    if (!s.columns().isEmpty()) {
      b.putParameters(COLUMNS, InferParameter.newBuilder().setStringParam(columnsJson(s.columns())).build());
    }
    return b.build();
  }

  private static String columnsJson(List<String> columns) {
    try {
      return JSON.writeValueAsString(columns);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a list of strings always writes", e);
    }
  }

  private static StatisticDuration duration(Statistics.Duration d) {
    return StatisticDuration.newBuilder().setCount(d.count()).setNs(d.ns()).build();
  }
}
