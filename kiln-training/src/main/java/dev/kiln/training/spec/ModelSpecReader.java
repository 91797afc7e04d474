package dev.kiln.training.spec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads a {@link ModelSpec} from YAML or JSON with Keras-style snake_case keys ({@code kernel_size}, {@code
 * learning_rate}, {@code early_stopping}). Reading is strict: an unknown key, an unknown layer type or a value of the
 * wrong type is a {@link SpecException} naming where it is ({@code layer 3 (dense): unknown field 'unit'; did you mean
 * 'units'?}). Specs over {@value SpecMappers#MAX_CHARS} characters, nested deeper than {@value SpecMappers#MAX_DEPTH}
 * levels or using YAML aliases heavily are refused before they cost memory.
 *
 * <p>Reading only checks the spec's form; whether it fits a dataset is {@link SpecValidator}'s job.
 */
public final class ModelSpecReader {
  public enum Format {
    JSON,
    YAML
  }

  private ModelSpecReader() {}

  /** Reads JSON when the text starts with '{', YAML otherwise (YAML being the format people write by hand). */
  public static ModelSpec read(String text) {
    Objects.requireNonNull(text, "text");
    return read(text, text.stripLeading().startsWith("{") ? Format.JSON : Format.YAML);
  }

  /** Reads a file, choosing the format by its extension ({@code .json}, {@code .yaml}, {@code .yml}) or content. */
  public static ModelSpec read(Path file) {
    Objects.requireNonNull(file, "file");
    String name = String.valueOf(file.getFileName());
    String text;
    try {
      if (Files.size(file) > 4L * SpecMappers.MAX_CHARS) {
        throw tooLarge();
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SpecException("cannot read spec file " + name, e);
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json")) {
      return read(text, Format.JSON);
    }
    return lower.endsWith(".yaml") || lower.endsWith(".yml") ? read(text, Format.YAML) : read(text);
  }

  public static ModelSpec read(String text, Format format) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(format, "format");
    if (text.length() > SpecMappers.MAX_CHARS) {
      throw tooLarge();
    }
    if (text.isBlank()) {
      throw new SpecException("spec is empty");
    }
    ObjectMapper mapper = format == Format.JSON ? SpecMappers.JSON : SpecMappers.YAML;
    try {
      ModelSpec spec = mapper.readValue(text, ModelSpec.class);
      if (spec == null) {
        throw new SpecException("spec is empty");
      }
      return spec;
    } catch (JacksonException e) {
      throw ReadErrors.translate(e, format, treeOrNull(mapper, text));
    } catch (RuntimeException e) {
      if (e instanceof SpecException s) {
        throw s;
      }
      // SnakeYAML's own limits (aliases, code points) surface as its unchecked YAMLException.
      throw new SpecException("spec is not valid " + format + ": " + ReadErrors.firstLine(e.getMessage()), e);
    }
  }

  /**
   * The spec's document as a tree, not yet read as a spec, with {@link #read(String)}'s format choice and limits: for
   * tools that edit a spec (a sweep's trials) before reading it.
   */
  public static JsonNode tree(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > SpecMappers.MAX_CHARS) {
      throw tooLarge();
    }
    boolean json = text.stripLeading().startsWith("{");
    try {
      JsonNode tree = (json ? SpecMappers.JSON : SpecMappers.YAML).readTree(text);
      if (tree == null || !tree.isObject()) {
        throw new SpecException("spec must be a mapping of keys (type, layers, optimizer, ...)");
      }
      return tree;
    } catch (JacksonException | RuntimeException e) {
      if (e instanceof SpecException s) {
        throw s;
      }
      throw new SpecException(
          "spec is not valid " + (json ? "JSON" : "YAML") + ": " + ReadErrors.firstLine(e.getMessage()), e);
    }
  }

  /** The parsed document, used only to name layers in error messages; null when it does not even parse. */
  private static JsonNode treeOrNull(ObjectMapper mapper, String text) {
    try {
      return mapper.readTree(text);
    } catch (JacksonException | RuntimeException e) {
      return null;
    }
  }

  private static SpecException tooLarge() {
    return new SpecException("spec is larger than " + SpecMappers.MAX_CHARS / 1024 + " KiB");
  }
}
