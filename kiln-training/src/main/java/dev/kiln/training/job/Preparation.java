package dev.kiln.training.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetException;
import dev.kiln.training.data.MissingPolicy;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.Scaling;
import dev.kiln.training.data.TextOptions;
import dev.kiln.training.data.TextPreparation;
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
 * @param tokenizer text: null keeps the default ({@code auto})
 * @param textFeatures text: null keeps the default the model type implies ({@code ids}, or {@code tfidf} for {@code
 *     ngram_classifier} and {@code logistic_regression})
 * @param ngrams text, {@code tfidf}: null keeps the default (2); the rest likewise ({@link TextOptions})
 */
public record Preparation(
    Scaling scaling,
    MissingPolicy missing,
    Integer maxVocabulary,
    Integer maxLength,
    TextOptions.Choice tokenizer,
    TextOptions.Features textFeatures,
    Integer ngrams,
    Boolean lowercase,
    Boolean normalize,
    Integer minCount) {
  /** The keys of the object, in the order the README lists them. */
  public static final List<String> KEYS =
      List.of(
          "scaling",
          "missing",
          "max_vocabulary",
          "max_length",
          "tokenizer",
          "text_features",
          "ngrams",
          "lowercase",
          "normalize",
          "min_count");

  /** The keys a dataset may set at upload as its own defaults: the text ones but {@code text_features}. */
  public static final List<String> DATASET_KEYS =
      List.of("tokenizer", "ngrams", "lowercase", "normalize", "min_count", "max_vocabulary", "max_length");

  public static final Preparation NONE = new Preparation(null, null, null, null, null, null, null, null, null, null);

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
    Preparation p =
        new Preparation(
            text(node, "scaling").map(v -> scaling(v)).orElse(null),
            text(node, "missing").map(v -> missing(v)).orElse(null),
            positive(node, "max_vocabulary"),
            positive(node, "max_length"),
            text(node, "tokenizer").map(v -> tokenizer(v)).orElse(null),
            text(node, "text_features").map(v -> named(TextOptions.Features.class, "text_features", v)).orElse(null),
            positive(node, "ngrams"),
            bool(node, "lowercase"),
            bool(node, "normalize"),
            positive(node, "min_count"));
    p.over(PrepareOptions.defaults()); // checks the text options together (ngrams 1 to 3)
    return p;
  }

  /** A scaling by its JSON name; anything else names the allowed values. */
  public static Scaling scaling(String name) {
    return named(Scaling.class, "scaling", name);
  }

  /** A missing-value policy by its JSON name; anything else names the allowed values. */
  public static MissingPolicy missing(String name) {
    return named(MissingPolicy.class, "missing", name);
  }

  /** A text tokenizer choice by its JSON name; anything else names the allowed values. */
  public static TextOptions.Choice tokenizer(String name) {
    return named(TextOptions.Choice.class, "tokenizer", name);
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
    try {
      o = text().over(o);
    } catch (DatasetException e) {
      throw invalid(e.getMessage());
    }
    return textFeatures == null ? o : o.withText(o.text().withFeatures(textFeatures));
  }

  /** The text keys a dataset may set for itself ({@link TextPreparation}). */
  public TextPreparation text() {
    return new TextPreparation(tokenizer, ngrams, lowercase, normalize, minCount, maxVocabulary, maxLength);
  }

  /**
   * A dataset's text options from an upload's query ({@code tokenizer=words&lowercase=false}), checked as a job's
   * {@code preparation} is: a key outside {@link #DATASET_KEYS} or a bad value is refused naming it and what it takes.
   */
  public static TextPreparation datasetText(Map<String, String> query) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    query.forEach((k, v) -> {
      if (!DATASET_KEYS.contains(k)) {
        throw invalid("unknown text option '" + k + "' (known: " + String.join(", ", DATASET_KEYS) + ")");
      }
      node.set(k, k.equals("tokenizer") ? TextNode.valueOf(v) : scalar(v));
    });
    return read(node).text();
  }

  /** A query value as the JSON it stands for: a boolean, a whole number, else a string (refused with the key). */
  private static JsonNode scalar(String v) {
    if (v.equals("true") || v.equals("false")) {
      return BooleanNode.valueOf(Boolean.parseBoolean(v));
    }
    return v.matches("[0-9]{1,9}") ? IntNode.valueOf(Integer.parseInt(v)) : TextNode.valueOf(v);
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

  private static Boolean bool(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw invalid(key + ": " + v + " (expected true or false)");
    }
    return v.asBoolean();
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
