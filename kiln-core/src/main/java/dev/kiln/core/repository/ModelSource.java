package dev.kiln.core.repository;

import dev.kiln.core.engine.ArtifactContents;
import dev.kiln.core.model.ModelConfig;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One model as found on disk.
 *
 * @param name folder name
 * @param config parsed config, or defaults
 * @param platform the engine platform chosen for this model
 * @param versionFiles model file per version number
 * @param contents per version, how to read its bytes when they are not a plain file (encrypted artifacts)
 */
public record ModelSource(
    String name,
    ModelConfig config,
    String platform,
    SortedMap<Long, Path> versionFiles,
    Map<Long, ArtifactContents> contents) {
  public ModelSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(platform, "platform");
    versionFiles = Collections.unmodifiableSortedMap(new TreeMap<>(versionFiles));
    contents = Map.copyOf(contents);
  }

  public static ModelSource of(String name, ModelConfig config, String platform, Map<Long, Path> files) {
    return new ModelSource(name, config, platform, new TreeMap<>(files), Map.of());
  }
}
