package dev.kiln.protocol.grpc;

import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.serving.ModelMetadata;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.core.serving.Statistics;
import dev.kiln.core.tensor.DataType;
import dev.kiln.protocol.grpc.proto.InferStatistics;
import dev.kiln.protocol.grpc.proto.ModelInput;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse.TensorMetadata;
import dev.kiln.protocol.grpc.proto.ModelOutput;
import dev.kiln.protocol.grpc.proto.ModelStatistics;
import dev.kiln.protocol.grpc.proto.ModelStatisticsResponse;
import dev.kiln.protocol.grpc.proto.RepositoryIndexResponse;
import dev.kiln.protocol.grpc.proto.RepositoryIndexResponse.ModelIndex;
import dev.kiln.protocol.grpc.proto.StatisticDuration;
import java.util.Arrays;
import java.util.List;

/** The core's records (metadata, configuration, statistics, repository index) as protocol messages. */
final class CoreMessages {
  private CoreMessages() {}

  static ModelMetadataResponse metadata(ModelMetadata m) {
    ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder()
        .setName(m.name())
        .addAllVersions(m.versions())
        .setPlatform(m.platform());
    for (TensorSpec s : m.signature().inputs()) {
      b.addInputs(tensor(s));
    }
    for (TensorSpec s : m.signature().outputs()) {
      b.addOutputs(tensor(s));
    }
    return b.build();
  }

  /**
   * Triton's shape of a model configuration. When the model batches, Triton reports {@code max_batch_size} and
   * dims without the batch dimension; otherwise {@code max_batch_size} is 0 and dims are the full shapes.
   */
  static dev.kiln.protocol.grpc.proto.ModelConfig config(ModelConfig config, ModelMetadata m) {
    ModelSignature sig = m.signature();
    boolean batching = config.batching().enabled() && sig.batchable();
    dev.kiln.protocol.grpc.proto.ModelConfig.Builder b = dev.kiln.protocol.grpc.proto.ModelConfig.newBuilder()
        .setName(m.name())
        .setPlatform(m.platform())
        .setMaxBatchSize(batching ? config.batching().maxBatchSize() : 0);
    for (TensorSpec s : sig.inputs()) {
      b.addInput(ModelInput.newBuilder().setName(s.name()).setDataType(dataType(s.datatype()))
          .addAllDims(dims(s, batching)));
    }
    for (TensorSpec s : sig.outputs()) {
      b.addOutput(ModelOutput.newBuilder().setName(s.name()).setDataType(dataType(s.datatype()))
          .addAllDims(dims(s, batching)));
    }
    return b.build();
  }

  static ModelStatisticsResponse statistics(List<Statistics> all) {
    ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
    for (Statistics s : all) {
      b.addModelStats(ModelStatistics.newBuilder()
          .setName(s.name())
          .setVersion(s.version())
          .setLastInference(s.lastInferenceMillis())
          .setInferenceCount(s.inferenceCount())
          .setExecutionCount(s.executionCount())
          .setInferenceStats(InferStatistics.newBuilder()
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
      b.addModels(ModelIndex.newBuilder()
          .setName(e.name())
          .setVersion(e.version())
          .setState(e.state().name())
          .setReason(e.reason()));
    }
    return b.build();
  }

  /** Triton's config enum: {@code TYPE_} + the protocol name, except BYTES which is {@code TYPE_STRING}. */
  static dev.kiln.protocol.grpc.proto.DataType dataType(DataType t) {
    return t == DataType.BYTES
        ? dev.kiln.protocol.grpc.proto.DataType.TYPE_STRING
        : dev.kiln.protocol.grpc.proto.DataType.valueOf("TYPE_" + t.name());
  }

  private static TensorMetadata tensor(TensorSpec s) {
    return TensorMetadata.newBuilder().setName(s.name()).setDatatype(s.datatype().name())
        .addAllShape(Arrays.stream(s.shape()).boxed().toList()).build();
  }

  private static List<Long> dims(TensorSpec s, boolean dropBatchDimension) {
    long[] shape = s.shape();
    return Arrays.stream(shape, dropBatchDimension ? 1 : 0, shape.length).boxed().toList();
  }

  private static StatisticDuration duration(Statistics.Duration d) {
    return StatisticDuration.newBuilder().setCount(d.count()).setNs(d.ns()).build();
  }
}
