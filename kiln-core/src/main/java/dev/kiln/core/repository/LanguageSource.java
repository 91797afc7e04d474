package dev.kiln.core.repository;

import java.nio.file.Path;
import java.util.Objects;

/** A language model as found in the model folder: its name, the version served (the highest) and its file. */
public record LanguageSource(String name, long version, Path file) {
  public LanguageSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
  }
}
