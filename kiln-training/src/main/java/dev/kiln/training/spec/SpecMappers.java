package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;

/** The two mappers specs are read and written with: Keras-style snake_case keys, strict types, bounded input. */
final class SpecMappers {
  /** Largest spec accepted, in characters; real specs are a few hundred. */
  static final int MAX_CHARS = 1 << 20;

  /** A spec is a few levels deep (spec, layers, layer, kernel_size); anything deeper is not a spec. */
  static final int MAX_DEPTH = 32;

  static final ObjectMapper JSON =
      configure(
          JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(constraints())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build()));

  static final ObjectMapper YAML =
      configure(
          YAMLMapper.builder(
              YAMLFactory.builder()
                  .loaderOptions(loaderOptions())
                  .streamReadConstraints(constraints())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build()));

  private SpecMappers() {}

  private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> M configure(B builder) {
    return builder
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        // "units: 1.5" or "units: '12'" is a mistake worth reporting, not something to round or parse.
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        // Keras accepts "pool_size: 2" for [2, 2]; the records expand a one-element list.
        .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .defaultPropertyInclusion(
            JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        .build();
  }

  /** The constant an enum's spec name ({@code @JsonProperty}) stands for; unknown names list the known ones. */
  static <E extends Enum<E>> E named(Class<E> type, String name, String key) {
    for (E constant : type.getEnumConstants()) {
      if (JSON.convertValue(constant, String.class).equals(name)) {
        return constant;
      }
    }
    String known =
        Arrays.stream(type.getEnumConstants())
            .map(c -> JSON.convertValue(c, String.class))
            .collect(Collectors.joining(", "));
    throw new SpecException("spec: '" + key + "' must be one of " + known + "; got '" + name + "'");
  }

  private static StreamReadConstraints constraints() {
    return StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxDocumentLength(MAX_CHARS).build();
  }

  /** Bounds SnakeYAML itself, so an alias bomb or a deep document fails before it costs memory. */
  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(10);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CHARS);
    options.setAllowDuplicateKeys(false);
    return options;
  }
}
