package dev.kiln.core.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The model file of one version, as found in the repository.
 *
 * @param name model name
 * @param version version number
 * @param file the model file itself (inside the version folder)
 * @param options engine options that apply to every model
 */
public record ModelArtifact(String name, long version, Path file, EngineOptions options) {
  public ModelArtifact {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
  }
}
