package dev.kiln.training.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Writes a spec in the form {@link ModelSpecReader} reads, so a job can store the spec it ran with and read it back
 * equal. Defaults the records filled in are written out, which makes the stored spec explicit.
 */
public final class ModelSpecWriter {
  private ModelSpecWriter() {}

  public static String toJson(ModelSpec spec) {
    return write(spec, ModelSpecReader.Format.JSON);
  }

  public static String toYaml(ModelSpec spec) {
    return write(spec, ModelSpecReader.Format.YAML);
  }

  private static String write(ModelSpec spec, ModelSpecReader.Format format) {
    Objects.requireNonNull(spec, "spec");
    try {
      return (format == ModelSpecReader.Format.JSON ? SpecMappers.JSON : SpecMappers.YAML).writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      // Records of enums, numbers and lists always serialise; failing here is a bug, not bad input.
      throw new UncheckedIOException(e);
    }
  }
}
