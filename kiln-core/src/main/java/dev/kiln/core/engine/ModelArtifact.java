package dev.kiln.core.engine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The model file of one version, as found in the repository.
 *
 * @param name model name
 * @param version version number
 * @param file the model file itself (inside the version folder); for a stored artifact, where it is kept
 * @param options engine options that apply to every model
 * @param contents the model's bytes when they must not be read from {@code file} directly (encrypted artifacts); empty
 *     for plain files
 */
public record ModelArtifact(
    String name, long version, Path file, EngineOptions options, Optional<ArtifactContents> contents) {
  public ModelArtifact {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(contents, "contents");
  }

  /** A plain model file, read from {@code file}. */
  public ModelArtifact(String name, long version, Path file, EngineOptions options) {
    this(name, version, file, options, Optional.empty());
  }
}
