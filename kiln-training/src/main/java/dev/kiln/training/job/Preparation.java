package dev.kiln.training.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.MissingPolicy;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.Scaling;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A job request's {@code preparation} object, read as strictly as model specs are: unknown keys, values of the wrong
 * type and unknown names are refused with the allowed ones, rather than failing later as an internal error. The CLI
 * checks its options with the same names before sending.
 *
 * @param scaling null keeps the default
 * @param missing null keeps the default
 * @param maxVocabulary null keeps the default
 * @param maxLength null keeps the default (95th percentile of training lengths)
 */
public record Preparation(Scaling scaling, MissingPolicy missing, Integer maxVocabulary, Integer maxLength) {
  /** The keys of the object, in the order the README lists them. */
  public static final List<String> KEYS = List.of("scaling", "missing", "max_vocabulary", "max_length");

  public static final Preparation NONE = new Preparation(null, null, null, null);

  /** Reads the object; null or JSON null is {@link #NONE}. */
  public static Preparation read(JsonNode node) {
    if (node == null || node.isNull()) {
      return NONE;
    }
    if (!node.isObject()) {
      throw invalid("'preparation' must be a JSON object (keys: " + String.join(", ", KEYS) + ")");
    }
    node.fieldNames()
        .forEachRemaining(f -> {
          if (!KEYS.contains(f)) {
            throw invalid("unknown key '" + f + "' in 'preparation' (known: " + String.join(", ", KEYS) + ")");
          }
        });
    return new Preparation(
        text(node, "scaling").map(v -> scaling(v)).orElse(null),
        text(node, "missing").map(v -> missing(v)).orElse(null),
        positive(node, "max_vocabulary"),
        positive(node, "max_length"));
  }

  /** A scaling by its JSON name; anything else names the allowed values. */
  public static Scaling scaling(String name) {
    return named(Scaling.class, "scaling", name);
  }

  /** A missing-value policy by its JSON name; anything else names the allowed values. */
  public static MissingPolicy missing(String name) {
    return named(MissingPolicy.class, "missing", name);
  }

  /** The JSON names of an enum's constants, in declaration order. */
  public static <E extends Enum<E>> List<String> names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Preparation::jsonName).toList();
  }

  /** These options over {@code base}. */
  public PrepareOptions over(PrepareOptions base) {
    PrepareOptions o = base;
    if (scaling != null) {
      o = o.withScaling(scaling);
    }
    if (missing != null) {
      o = o.withMissing(missing);
    }
    if (maxVocabulary != null || maxLength != null) {
      o = o.withText(maxVocabulary != null ? maxVocabulary : o.maxVocabulary(), maxLength);
    }
    return o;
  }

  private static <E extends Enum<E>> E named(Class<E> type, String key, String name) {
    Map<String, E> byName = new LinkedHashMap<>();
    for (E e : type.getEnumConstants()) {
      byName.put(jsonName(e), e);
    }
    E e = byName.get(name);
    if (e == null) {
      throw invalid(key + ": '" + name + "' (expected one of: " + String.join(", ", byName.keySet()) + ")");
    }
    return e;
  }

  private static String jsonName(Enum<?> e) {
    try {
      JsonProperty p = e.getDeclaringClass().getField(e.name()).getAnnotation(JsonProperty.class);
      return p == null ? e.name().toLowerCase(Locale.ROOT) : p.value();
    } catch (NoSuchFieldException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static Optional<String> text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw invalid(key + ": " + v + " (expected a name in quotes)");
    }
    return Optional.of(v.asText());
  }

  private static Integer positive(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 1) {
      throw invalid(key + ": " + v + " (expected a positive integer)");
    }
    return v.asInt();
  }

  private static KilnException invalid(String message) {
    return new KilnException(ErrorKind.INVALID_ARGUMENT, message);
  }
}
