package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.KilnException;
import java.util.List;
import java.util.Map;

/**
 * Where a space key puts its value in a trial's job request. A key is a dotted path into the request's JSON ({@code
 * model.optimizer.learning_rate}, {@code training.batch_size}, {@code model.layers.1.units} with list indexes from 0,
 * {@code model.layers} for a whole layer list) or one of the {@link #ALIASES}; {@code dropout} sets the rate of every
 * dropout layer. Missing objects on the way are created; a bare name where an object is needed ({@code optimizer:
 * adam}) becomes {@code {name: adam}}, as specs read it. Whether the value itself is valid is left to reading the trial
 * as a job request, which names the field at fault.
 */
final class TrialPaths {
  static final Map<String, String> ALIASES =
      Map.of(
          "learning_rate", "model.optimizer.learning_rate",
          "batch_size", "training.batch_size",
          "optimizer", "model.optimizer.name",
          "epochs", "training.epochs",
          "l2", "model.l2");

  static final String DROPOUT = "dropout";
  private static final List<String> ROOTS = List.of("model", "training", "preparation");

  private TrialPaths() {}

  /** Refuses a key that can never be a path, before any trial is built. */
  static void checkKey(String key) {
    if (ALIASES.containsKey(key) || key.equals(DROPOUT)) {
      return;
    }
    String[] parts = key.split("\\.", -1);
    if (!ROOTS.contains(parts[0]) || List.of(parts).contains("")) {
      throw KilnException.invalid(
          "space: unknown key '"
              + key
              + "' (a path under model., training. or preparation., or one of: dropout, "
              + String.join(", ", ALIASES.keySet().stream().sorted().toList())
              + ")");
    }
  }

  /** Sets {@code key} to {@code value} in {@code request}, a job request's JSON, in place. */
  static void apply(ObjectNode request, String key, JsonNode value) {
    if (key.equals(DROPOUT)) {
      dropout(request, value);
      return;
    }
    String path = ALIASES.getOrDefault(key, key);
    if (key.equals("optimizer") && value.isObject()) {
      path = "model.optimizer"; // a whole optimizer, {name: sgd, momentum: 0.9}
    }
    String[] parts = path.split("\\.");
    JsonNode at = request;
    for (int i = 0; i < parts.length - 1; i++) {
      at = child(at, parts, i, key);
    }
    String last = parts[parts.length - 1];
    if (at instanceof ObjectNode o) {
      o.set(last, value);
    } else {
      ((ArrayNode) at).set(index((ArrayNode) at, parts, parts.length - 1, key), value);
    }
  }

  /**
   * The node at {@code parts[i]} under {@code at}, created or widened to an object when the path goes on through it.
   */
  private static JsonNode child(JsonNode at, String[] parts, int i, String key) {
    if (at instanceof ArrayNode a) {
      JsonNode next = a.get(index(a, parts, i, key));
      if (!next.isContainerNode()) {
        throw notContainer(parts, i, key);
      }
      return next;
    }
    ObjectNode o = (ObjectNode) at;
    JsonNode next = o.get(parts[i]);
    boolean listNext = parts[i + 1].chars().allMatch(Character::isDigit);
    if (next == null || next.isNull()) {
      if (listNext) {
        throw KilnException.invalid("space." + key + ": " + prefix(parts, i + 1) + " is not a list in the request");
      }
      return o.putObject(parts[i]);
    }
    if (next.isTextual() && !listNext) {
      ObjectNode named = o.putObject(parts[i]); // the bare-name form of an optimizer or loss
      named.put("name", next.asText());
      return named;
    }
    if (!next.isContainerNode()) {
      throw notContainer(parts, i, key);
    }
    return next;
  }

  private static int index(ArrayNode a, String[] parts, int i, String key) {
    String s = parts[i];
    if (!s.chars().allMatch(Character::isDigit) || s.length() > 6 || Integer.parseInt(s) >= a.size()) {
      throw KilnException.invalid(
          "space."
              + key
              + ": "
              + prefix(parts, i)
              + " has "
              + a.size()
              + " entries (indexes from 0), so '"
              + s
              + "' names none");
    }
    return Integer.parseInt(s);
  }

  private static KilnException notContainer(String[] parts, int i, String key) {
    return KilnException.invalid("space." + key + ": " + prefix(parts, i + 1) + " is a value, not an object or list");
  }

  private static String prefix(String[] parts, int i) {
    return String.join(".", List.of(parts).subList(0, i));
  }

  private static void dropout(ObjectNode request, JsonNode value) {
    int set = 0;
    for (JsonNode layer : request.path("model").path("layers")) {
      if (layer instanceof ObjectNode o && "dropout".equals(o.path("type").asText())) {
        o.set("rate", value);
        set++;
      }
    }
    if (set == 0) {
      throw KilnException.invalid("space.dropout: the spec has no dropout layer to set the rate of");
    }
  }
}
