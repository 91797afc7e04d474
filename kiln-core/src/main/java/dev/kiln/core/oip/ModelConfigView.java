package dev.kiln.core.oip;

import dev.kiln.core.model.BatchingConfig;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.model.VersionPolicy;
import dev.kiln.core.serving.ModelMetadata;
import dev.kiln.core.tensor.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's configuration in the shape of Triton's model configuration, so tools written for Triton read it on either
 * protocol. As in Triton, when {@code maxBatchSize} is above 0 the dims leave out the batch dimension; at 0 the model
 * does not batch and dims are the full shapes.
 *
 * @param dynamicBatching present when the model batches
 * @param instanceCount engine instances, one CPU instance group
 */
public record ModelConfigView(
    String name,
    String platform,
    int maxBatchSize,
    List<Tensor> inputs,
    List<Tensor> outputs,
    Optional<DynamicBatching> dynamicBatching,
    int instanceCount,
    VersionPolicy versionPolicy) {
  /** Kiln's instances run where its engines run; GPU placement is an engine option, not a config field. */
  public static final String INSTANCE_KIND = "KIND_CPU";

  public ModelConfigView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(platform, "platform");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    Objects.requireNonNull(dynamicBatching, "dynamicBatching");
    Objects.requireNonNull(versionPolicy, "versionPolicy");
  }

  /**
   * One input or output.
   *
   * @param dataType Triton's config spelling: {@code TYPE_} and the protocol name, {@code TYPE_STRING} for BYTES
   */
  public record Tensor(String name, String dataType, List<Long> dims) {
    public Tensor {
      dims = List.copyOf(dims);
    }
  }

  /** Triton's {@code dynamic_batching}: sizes dispatched at once, and how long a batch waits to fill. */
  public record DynamicBatching(List<Integer> preferredBatchSizes, long maxQueueDelayMicroseconds) {
    public DynamicBatching {
      preferredBatchSizes = List.copyOf(preferredBatchSizes);
    }
  }

  /** The view of a model's configuration and the signature of the version that metadata resolved. */
  static ModelConfigView of(ModelConfig config, ModelMetadata metadata) {
    BatchingConfig b = config.batching();
    // A model with batching on but an input without a variable first dimension never loads (ServedModel), so
    // enabled() alone says whether a served model batches.
    boolean batching = b.enabled();
    Optional<DynamicBatching> dynamic =
        batching
            ? Optional.of(new DynamicBatching(b.preferredBatchSizes(), b.maxQueueDelay().toNanos() / 1000))
            : Optional.empty();
    return new ModelConfigView(
        metadata.name(),
        metadata.platform(),
        batching ? b.maxBatchSize() : 0,
        tensors(metadata.signature().inputs(), batching),
        tensors(metadata.signature().outputs(), batching),
        dynamic,
        config.instanceCount(),
        config.versionPolicy());
  }

  /** Triton's config spelling of a datatype: {@code TYPE_} + the protocol name, except BYTES: {@code TYPE_STRING}. */
  public static String configType(DataType t) {
    return t == DataType.BYTES ? "TYPE_STRING" : "TYPE_" + t.name();
  }

  private static List<Tensor> tensors(List<TensorSpec> specs, boolean dropBatchDimension) {
    return specs.stream()
        .map(s -> {
          long[] shape = s.shape();
          List<Long> dims =
              Arrays.stream(shape, dropBatchDimension && shape.length > 0 ? 1 : 0, shape.length).boxed().toList();
          return new Tensor(s.name(), configType(s.datatype()), dims);
        })
        .toList();
  }
}
