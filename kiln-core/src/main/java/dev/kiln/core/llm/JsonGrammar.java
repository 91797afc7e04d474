package dev.kiln.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.core.error.KilnException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

// Size: one keyword per method would scatter the one walk over a schema that the grammar and its errors share.
/**
 * Turns a JSON schema into a GBNF grammar whose every complete match is a JSON document valid against the schema.
 * Written here rather than with llama.cpp's converter ({@code LlamaModel.jsonSchemaToGrammar}) because that one leaves
 * strings without {@code maxLength}, arrays without {@code maxItems} and free-form objects unbounded: the random-weight
 * test model, whose word pieces always outscore a closing quote, never ended such a string. Here everything has an end
 * ({@link JsonLimits}); objects are written with exactly the listed properties, in the listed order, and spacing is
 * fixed ({@code {"a": 1, "b": [2, 3]}}), which stays valid against the schema.
 *
 * <p>Supported: {@code type} (one or a list), {@code properties}, {@code required}, {@code additionalProperties} (never
 * written beside listed properties), {@code items}, {@code minItems}, {@code maxItems}, {@code enum}, {@code const},
 * {@code anyOf}, local {@code $ref} into {@code $defs}/{@code definitions}, {@code minLength}, {@code maxLength}, and
 * integer {@code minimum}/{@code maximum} (0 or 1 as a lower bound, or a range of at most 256 values). Annotations
 * ({@code title}, {@code description}, ...) are ignored; any other keyword is refused, by name and place.
 */
public final class JsonGrammar {
  private static final Set<String> SUPPORTED =
      Set.of(
          "type",
          "properties",
          "required",
          "additionalProperties",
          "items",
          "minItems",
          "maxItems",
          "enum",
          "const",
          "anyOf",
          "$ref",
          "$defs",
          "definitions",
          "minLength",
          "maxLength",
          "minimum",
          "maximum");
  private static final Set<String> ANNOTATIONS =
      Set.of(
          "title",
          "description",
          "$schema",
          "$id",
          "$comment",
          "examples",
          "default",
          "deprecated",
          "readOnly",
          "writeOnly");
  private static final String CHAR = "[^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" [\"\\\\/bfnrt]";
  private static final String NUMBER =
      "\"-\"? (\"0\" | [1-9] [0-9]{0,15}) (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?";
  private static final String INTEGER = "\"-\"? (\"0\" | [1-9] [0-9]{0,15})";
  private static final int MAX_RANGE = 256;
  private static final JsonNode NONE = JsonNodeFactory.instance.objectNode();

  private final GbnfRules rules;
  private final JsonNode root;
  private final String field;
  private final JsonLimits limits;
  private final Set<String> unsupported = new LinkedHashSet<>();

  JsonGrammar(GbnfRules rules, JsonNode root, String field, JsonLimits limits) {
    this.rules = rules;
    this.root = root;
    this.field = field;
    this.limits = limits;
  }

  /**
   * A grammar for documents valid against {@code schema}.
   *
   * @param field the request field that held the schema, named in errors
   * @throws KilnException INVALID_ARGUMENT for a schema too large or deep, or with keywords not supported (all named)
   */
  public static String schema(String field, JsonNode schema, JsonLimits limits) {
    GbnfRules rules = new GbnfRules();
    return rules.text(expression(rules, field, schema, limits));
  }

  /** Any JSON object, bounded by {@code limits} ({@code response_format} {@code json_object}). */
  static String anyObject(GbnfRules rules, JsonLimits limits) {
    return new JsonGrammar(rules, NONE, "", limits).freeObject(limits.depth());
  }

  /** {@code format} as a GBNF expression; free text must not start with '<' (where a tool call would start). */
  static String expression(GbnfRules rules, OutputFormat format, JsonLimits limits) {
    return switch (format) {
      case OutputFormat.Text t -> rules.rule("text", "([^<] [^\\x00]*)?");
      case OutputFormat.JsonObject o -> anyObject(rules, limits);
      case OutputFormat.JsonSchema s -> expression(rules, s.field(), s.schema(), limits);
    };
  }

  /** The expression for {@code schema}'s documents, its rules added to {@code rules} (several schemas may share it). */
  static String expression(GbnfRules rules, String field, JsonNode schema, JsonLimits limits) {
    int bytes = schema.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.schemaBytes()) {
      throw KilnException.invalid(
          field + ": the schema has " + bytes + " bytes (expected: at most " + limits.schemaBytes() + ")");
    }
    JsonGrammar g = new JsonGrammar(rules, schema, field, limits);
    String e = g.value(schema, "", 0);
    if (!g.unsupported.isEmpty()) {
      throw KilnException.invalid(field + ": unsupported schema features: " + String.join(", ", g.unsupported));
    }
    return e;
  }

  private String value(JsonNode s, String path, int depth) {
    if (s.isBoolean() && s.asBoolean()) {
      return free(limits.depth() - depth);
    }
    if (!s.isObject()) {
      throw KilnException.invalid(field + ": the schema at '" + at(path) + "' must be an object");
    }
    for (Iterator<String> names = s.fieldNames(); names.hasNext(); ) {
      String k = names.next();
      if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k)) {
        unsupported.add(k + " (at " + at(path) + ")");
      }
    }
    if (s.has("$ref")) {
      return ref(s.get("$ref").asText(), path, depth);
    }
    if (s.has("const")) {
      return GbnfRules.literal(s.get("const").toString());
    }
    if (s.has("enum")) {
      JsonNode e = s.get("enum");
      if (!e.isArray() || e.isEmpty()) {
        throw KilnException.invalid(field + ": 'enum' at '" + at(path) + "' must be a non-empty array");
      }
      List<String> options = new ArrayList<>();
      e.forEach(v -> options.add(GbnfRules.literal(v.toString())));
      return "(" + String.join(" | ", options) + ")";
    }
    if (s.has("anyOf")) {
      JsonNode a = s.get("anyOf");
      if (!a.isArray() || a.isEmpty()) {
        throw KilnException.invalid(field + ": 'anyOf' at '" + at(path) + "' must be a non-empty array");
      }
      List<String> options = new ArrayList<>();
      // A level too: nested anyOf nests the grammar's parentheses, which llama.cpp's parser recurses into.
      int inner = deeper(depth, path);
      for (int i = 0; i < a.size(); i++) {
        options.add(value(a.get(i), path + "/anyOf/" + i, inner));
      }
      return "(" + String.join(" | ", options) + ")";
    }
    JsonNode type = s.get("type");
    if (type == null) {
      return free(limits.depth() - depth);
    }
    if (type.isArray()) {
      List<String> options = new ArrayList<>();
      type.forEach(t -> options.add(typed(s, t.asText(), path, depth)));
      return "(" + String.join(" | ", options) + ")";
    }
    return typed(s, type.asText(), path, depth);
  }

  private String typed(JsonNode s, String type, String path, int depth) {
    if (!type.equals("integer") && (s.has("minimum") || s.has("maximum"))) {
      unsupported.add("minimum/maximum on " + type + " (at " + at(path) + ")");
    }
    return switch (type) {
      case "string" -> string(s, path);
      case "integer" -> integer(s, path);
      case "number" -> rules.rule("number", NUMBER);
      case "boolean" -> "(\"true\" | \"false\")";
      case "null" -> "\"null\"";
      case "object" -> object(s, path, deeper(depth, path));
      case "array" -> array(s, path, deeper(depth, path));
      default -> throw KilnException.invalid(field + ": unknown type '" + type + "' at '" + at(path) + "'");
    };
  }

  private int deeper(int depth, String path) {
    if (depth + 1 > limits.depth()) {
      throw KilnException.invalid(
          field + ": the schema nests deeper than " + limits.depth() + " levels (at '" + at(path) + "')");
    }
    return depth + 1;
  }

  private String ref(String ref, String path, int depth) {
    String[] parts = ref.split("/");
    JsonNode target =
        parts.length == 3 && parts[0].equals("#") && (parts[1].equals("$defs") || parts[1].equals("definitions"))
            ? root.path(parts[1]).get(parts[2])
            : null;
    if (target == null) {
      throw KilnException.invalid(
          field + ": '$ref' at '" + at(path) + "' must name a schema in $defs or definitions, e.g. #/$defs/item");
    }
    // A reference counts as a level, so a schema that refers to itself ends at the depth limit with a 400.
    return value(target, ref.substring(1), deeper(depth, path));
  }

  private String string(JsonNode s, String path) {
    int min = s.path("minLength").asInt(0);
    int max = Math.min(s.path("maxLength").asInt(limits.stringLength()), limits.stringLength());
    if (min < 0 || min > max) {
      throw KilnException.invalid(
          field
              + ": minLength "
              + min
              + " at '"
              + at(path)
              + "' is more than "
              + max
              + " (the longest string written)");
    }
    String chr = rules.rule("char", CHAR);
    return rules.rule("string", "\"\\\"\" " + chr + "{" + min + "," + max + "} \"\\\"\"");
  }

  private String integer(JsonNode s, String path) {
    JsonNode lo = s.get("minimum");
    JsonNode hi = s.get("maximum");
    if (lo == null && hi == null) {
      return rules.rule("integer", INTEGER);
    }
    boolean integral = (lo == null || lo.canConvertToExactIntegral()) && (hi == null || hi.canConvertToExactIntegral());
    if (integral && lo != null && hi != null && hi.asLong() >= lo.asLong() && hi.asLong() - lo.asLong() < MAX_RANGE) {
      List<String> values = new ArrayList<>();
      for (long v = lo.asLong(); v <= hi.asLong(); v++) {
        values.add(GbnfRules.literal(Long.toString(v)));
      }
      return "(" + String.join(" | ", values) + ")";
    }
    if (integral && hi == null && (lo.asLong() == 0 || lo.asLong() == 1)) {
      return lo.asLong() == 0 ? "(\"0\" | [1-9] [0-9]{0,15})" : "([1-9] [0-9]{0,15})";
    }
    unsupported.add("minimum/maximum other than 0 or 1 as a lower bound or a range of up to 256 (at " + at(path) + ")");
    return rules.rule("integer", INTEGER);
  }

  private String object(JsonNode s, String path, int depth) {
    JsonNode props = s.get("properties");
    JsonNode extra = s.get("additionalProperties");
    if (props == null || props.isEmpty()) {
      if (extra != null && extra.isBoolean() && !extra.asBoolean()) {
        return "\"{}\"";
      }
      if (extra != null && extra.isObject()) {
        String member =
            string(s.path("propertyNames"), path) + " \": \" " + value(extra, path + "/additionalProperties", depth);
        return rules.rule(
            "map", "\"{\" (" + member + " (\", \" " + member + "){0," + (limits.items() - 1) + "})? \"}\"");
      }
      return freeObject(limits.depth() - depth + 1);
    }
    if (!props.isObject()) {
      throw KilnException.invalid(field + ": 'properties' at '" + at(path) + "' must be an object");
    }
    Set<String> required = new LinkedHashSet<>();
    s.path("required").forEach(r -> required.add(r.asText()));
    for (String r : required) {
      if (!props.has(r)) {
        unsupported.add("required property '" + r + "' not in properties (at " + at(path) + ")");
      }
    }
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    props.fields().forEachRemaining(entries::add);
    String after = "";
    String start = "";
    for (int i = entries.size() - 1; i >= 0; i--) {
      String name = entries.get(i).getKey();
      String kv =
          GbnfRules.literal(JsonNodeFactory.instance.textNode(name).toString() + ": ")
              + " "
              + value(entries.get(i).getValue(), path + "/properties/" + name, depth);
      boolean req = required.contains(name);
      String nextAfter = req ? "\", \" " + kv + " " + after : "(\", \" " + kv + ")? " + after;
      String nextStart =
          req ? kv + " " + after : "(" + kv + " " + after + (start.isEmpty() ? ")?" : " | " + start + ")");
      after = rules.rule("after", nextAfter.strip());
      start = rules.rule("members", nextStart.strip());
    }
    return "\"{\" " + start + " \"}\"";
  }

  private String array(JsonNode s, String path, int depth) {
    JsonNode itemSchema = s.get("items");
    String item = itemSchema == null ? free(limits.depth() - depth) : value(itemSchema, path + "/items", depth);
    int min = s.path("minItems").asInt(0);
    int max = Math.min(s.path("maxItems").asInt(limits.items()), limits.items());
    if (min < 0 || min > max) {
      throw KilnException.invalid(
          field + ": minItems " + min + " at '" + at(path) + "' is more than " + max + " (the most items written)");
    }
    if (max == 0) {
      return "\"[]\"";
    }
    String rest = "(\", \" " + item + "){" + Math.max(min - 1, 0) + "," + (max - 1) + "}";
    String body = min == 0 ? "\"[\" (" + item + " " + rest + ")? \"]\"" : "\"[\" " + item + " " + rest + " \"]\"";
    return rules.rule("array", body);
  }

  /** Any JSON value nesting at most {@code levels} objects and arrays deep. */
  private String free(int levels) {
    String scalar =
        rules.rule(
            "scalar", string(NONE, "") + " | " + rules.rule("number", NUMBER) + " | \"true\" | \"false\" | \"null\"");
    if (levels <= 0) {
      return scalar;
    }
    String inner = free(levels - 1);
    String arr = "\"[\" (" + inner + " (\", \" " + inner + "){0," + (limits.items() - 1) + "})? \"]\"";
    return rules.rule("value" + levels, scalar + " | " + freeObject(levels) + " | " + rules.rule("list", arr));
  }

  private String freeObject(int levels) {
    String key = string(NONE, "");
    String member = key + " \": \" " + free(levels - 1);
    return rules.rule(
        "object", "\"{\" (" + member + " (\", \" " + member + "){0," + (limits.items() - 1) + "})? \"}\"");
  }

  private static String at(String path) {
    return path.isEmpty() ? "/" : path;
  }
}
