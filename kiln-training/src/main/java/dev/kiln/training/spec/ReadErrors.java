package dev.kiln.training.spec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Turns Jackson's exceptions into messages for the spec's author. Jackson's own messages name Java classes and source
 * positions in its terms; these name the spec's keys and layers ({@code layer 2 (conv2d)}), counted from 1 as {@link
 * SpecValidator} counts them.
 */
final class ReadErrors {
  private ReadErrors() {}

  static SpecException translate(JacksonException e, ModelSpecReader.Format format, JsonNode tree) {
    if (e instanceof JsonMappingException && e.getCause() instanceof StreamReadException syntax) {
      // A syntax error met while binding is still a syntax error; the binding path would only mislead.
      e = syntax;
    }
    String message = message(e, format, tree) + line(e);
    return e instanceof JsonMappingException m && !m.getPath().isEmpty()
        ? SpecException.at(path(m.getPath()), message, e)
        : new SpecException(message, e);
  }

  /** The JSON path of the value at fault: {@code layers[1].units}, {@code optimizer.lr}. */
  static String path(List<JsonMappingException.Reference> path) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        out.append(out.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String message(JacksonException e, ModelSpecReader.Format format, JsonNode tree) {
    if (e instanceof StreamConstraintsException) {
      return "spec is too large or nested too deeply";
    }
    if (!(e instanceof JsonMappingException m)) {
      String detail = e instanceof StreamReadException s ? s.getOriginalMessage() : e.getMessage();
      return "spec is not valid " + format + ": " + firstLine(detail);
    }
    if (m.getCause() instanceof SpecException own) {
      // A record's creator refused a value (an unknown optimizer name); its message already names the key.
      return own.getMessage();
    }
    List<JsonMappingException.Reference> path = m.getPath();
    if (m instanceof UnrecognizedPropertyException u) {
      return where(path.subList(0, path.size() - 1), tree)
          + ": unknown field '"
          + u.getPropertyName()
          + "'"
          + suggestion(u.getPropertyName(), u.getKnownPropertyIds());
    }
    if (m instanceof InvalidTypeIdException t) {
      String known = String.join(", ", LayerSpec.kinds());
      return t.getTypeId() == null
          ? where(path, tree) + ": missing 'type' (one of " + known + ")"
          : where(path, tree) + ": unknown layer type '" + t.getTypeId() + "' (known: " + known + ")";
    }
    int field = lastFieldIndex(path);
    if (field < 0) {
      return "spec must be a mapping of keys such as type, layers, optimizer, loss";
    }
    String container = where(path.subList(0, field), tree);
    String name =
        path.subList(field, path.size()).stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining());
    if (m instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
      return container
          + ": '"
          + name
          + "' must be one of "
          + enumNames(f.getTargetType())
          + "; got '"
          + f.getValue()
          + "'";
    }
    if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
      return container + ": '" + name + "' must be " + expected(mi.getTargetType());
    }
    return container + ": '" + name + "' is invalid";
  }

  /** {@code spec}, {@code optimizer}, {@code layer 3 (dense)}, {@code training.early_stopping}. */
  static String where(List<JsonMappingException.Reference> path, JsonNode tree) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < path.size(); i++) {
      JsonMappingException.Reference r = path.get(i);
      if ("layers".equals(r.getFieldName()) && i + 1 < path.size() && path.get(i + 1).getFieldName() == null) {
        int index = path.get(++i).getIndex();
        parts.add(layerName(index, tree));
      } else if (r.getFieldName() != null) {
        parts.add(r.getFieldName());
      } else if (!parts.isEmpty()) {
        parts.set(parts.size() - 1, parts.getLast() + "[" + r.getIndex() + "]");
      }
    }
    return parts.isEmpty() ? "spec" : String.join(".", parts);
  }

  private static String layerName(int index, JsonNode tree) {
    String kind = tree == null ? null : tree.path("layers").path(index).path("type").asText(null);
    return "layer " + (index + 1) + (kind != null && LayerSpec.kinds().contains(kind) ? " (" + kind + ")" : "");
  }

  private static int lastFieldIndex(List<JsonMappingException.Reference> path) {
    for (int i = path.size() - 1; i >= 0; i--) {
      if (path.get(i).getFieldName() != null) {
        return i;
      }
    }
    return -1;
  }

  /** "; did you mean 'units'?" for a near miss (a typo or camelCase), else the keys that are allowed. */
  private static String suggestion(String key, Collection<Object> known) {
    List<String> names = known == null ? List.of() : known.stream().map(String::valueOf).sorted().toList();
    String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : names) {
      int d = name.equals(snake) ? 0 : distance(key, name);
      if (d < bestDistance) {
        best = name;
        bestDistance = d;
      }
    }
    if (best != null && bestDistance <= Math.max(1, Math.min(2, key.length() / 3))) {
      return "; did you mean '" + best + "'?";
    }
    return names.isEmpty() ? "" : " (known: " + String.join(", ", names) + ")";
  }

  /** Levenshtein distance; keys are short, so the quadratic table is fine. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String expected(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type.isEnum()) {
      return "one of " + enumNames(type);
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a mapping";
  }

  /** The names the spec uses (from {@code @JsonProperty}), not the Java constants. */
  private static String enumNames(Class<?> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(c -> SpecMappers.JSON.convertValue(c, String.class))
        .collect(Collectors.joining(", "));
  }

  private static String line(JacksonException e) {
    JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ")";
  }

  static String firstLine(String message) {
    if (message == null || message.isBlank()) {
      return "cannot parse";
    }
    String line = message.strip().lines().findFirst().orElse("cannot parse");
    // Jackson appends where an enclosing array or object started in its own source notation; drop it.
    for (String tail : List.of(" (for ", " at [Source", "[Source:")) {
      int at = line.indexOf(tail);
      line = at > 0 ? line.substring(0, at) : line;
    }
    return line;
  }
}
