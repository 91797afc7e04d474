package dev.kiln.core.serving;

import java.util.Objects;
import java.util.Optional;

/**
 * What a request is about: a model and, when the caller named one, a version; without one, the highest ready version.
 * Adapters build it from their protocol's strings with {@link InferenceCore#target(String, String)}, which also
 * resolves {@code model@alias}.
 */
public record Target(String model, Optional<Long> version) {
  public Target {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
  }

  /** The highest ready version of {@code model}. */
  public static Target latest(String model) {
    return new Target(model, Optional.empty());
  }

  /** Version {@code version} of {@code model}. */
  public static Target of(String model, long version) {
    return new Target(model, Optional.of(version));
  }
}
