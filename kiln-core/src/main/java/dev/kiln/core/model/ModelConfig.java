package dev.kiln.core.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one model is served. Read from the optional {@code config.json} beside the model's versions; every field has a
 * default, so a model without a config loads with its signature read from the model file.
 *
 * @param name the model's name (its folder name)
 * @param batching dynamic batching, off by default
 * @param instanceCount engine instances executing in parallel
 * @param versionPolicy which versions are served
 * @param inputs declared inputs; empty means take them from the model file
 * @param outputs declared outputs; empty means take them from the model file
 * @param warmup whether each version runs one request of zeros before it is marked ready
 */
public record ModelConfig(
    String name,
    BatchingConfig batching,
    int instanceCount,
    VersionPolicy versionPolicy,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    boolean warmup) {
  public ModelConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(batching, "batching");
    Objects.requireNonNull(versionPolicy, "versionPolicy");
    if (instanceCount < 1) {
      throw new IllegalArgumentException("instance-count must be >= 1, got " + instanceCount);
    }
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public static ModelConfig defaults(String name) {
    return new ModelConfig(
        name,
        BatchingConfig.disabled(BatchingConfig.DEFAULT_QUEUE_SIZE),
        1,
        VersionPolicy.latest(),
        List.of(),
        List.of(),
        true);
  }

  /** The declared signature, when the config declares one. */
  public Optional<ModelSignature> declaredSignature() {
    return inputs.isEmpty() && outputs.isEmpty() ? Optional.empty() : Optional.of(new ModelSignature(inputs, outputs));
  }
}
