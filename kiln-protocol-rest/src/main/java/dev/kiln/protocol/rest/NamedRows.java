package dev.kiln.protocol.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Rows keyed by column name (KServe V1's {@code {"instances": [{"sepal_length": 5.1, ...}]}}, or a CSV file with a
 * header row, or TF Serving's columnar {@code {"inputs": {"sepal_length": [5.1, ...], ...}}}) turned into one array of
 * rows per input, in the column order the model declares ({@link TensorSpec#columns()}).
 */
final class NamedRows {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private NamedRows() {}

  /** Whether these rows name columns rather than inputs: the model declares columns and no row names an input. */
  static boolean applies(JsonNode rows, ModelSignature sig) {
    if (sig.inputs().stream().allMatch(t -> t.columns().isEmpty()) || !rows.get(0).isObject()) {
      return false;
    }
    return sig.inputs().stream().noneMatch(t -> rows.get(0).has(t.name()));
  }

  /**
   * The row objects a {@code /predict} body holds by column name, if it names columns: {@code instances} as objects
   * keyed by column name, or {@code inputs} as one array per column name (turned into the same row objects, so both
   * meet the same checks).
   */
  static Optional<JsonNode> rows(JsonNode body, ModelSignature sig) {
    JsonNode rows = body.path("instances");
    if (rows.isArray() && !rows.isEmpty() && applies(rows, sig)) {
      return Optional.of(rows);
    }
    JsonNode in = body.path("inputs");
    if (in.isObject() && !in.isEmpty() && applies(NODES.arrayNode().add(in), sig)) {
      return Optional.of(fromColumns(in));
    }
    return Optional.empty();
  }

  /**
   * {@code {"age": [40, 7], "city": ["Oslo", "Bergen"]}} as row objects; a lone value rather than an array is one row.
   */
  static JsonNode fromColumns(JsonNode columns) {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    columns
        .fields()
        .forEachRemaining(
            e -> values.put(e.getKey(), e.getValue().isArray() ? e.getValue() : NODES.arrayNode().add(e.getValue())));
    String first = values.keySet().iterator().next();
    int rows = values.get(first).size();
    values.forEach((name, v) -> {
      if (v.size() != rows) {
        throw KilnException.invalid(
            "inputs: column '" + name + "' has " + v.size() + " values; column '" + first + "' has " + rows);
      }
    });
    if (rows == 0) {
      throw KilnException.invalid("inputs: each column needs at least one value");
    }
    ArrayNode out = NODES.arrayNode();
    for (int r = 0; r < rows; r++) {
      ObjectNode row = out.addObject();
      for (Map.Entry<String, JsonNode> e : values.entrySet()) {
        row.set(e.getKey(), e.getValue().get(r));
      }
    }
    return out;
  }

  /** Each input's rows, columns in the model's order; a 400 names the missing and the unknown columns. */
  static Map<String, JsonNode> byInput(JsonNode rows, ModelSignature sig) {
    Set<String> known = new LinkedHashSet<>();
    sig.inputs().forEach(t -> known.addAll(t.columns()));
    for (JsonNode row : rows) {
      if (!row.isObject()) {
        throw KilnException.invalid("every instance must be an object keyed by column name");
      }
      List<String> missing = known.stream().filter(c -> !row.has(c)).toList();
      List<String> extra = new ArrayList<>();
      row.fieldNames()
          .forEachRemaining(f -> {
            if (!known.contains(f)) {
              extra.add(f);
            }
          });
      if (!missing.isEmpty() || !extra.isEmpty()) {
        throw KilnException.invalid(problem(missing, extra));
      }
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (TensorSpec spec : sig.inputs()) {
      ArrayNode a = NODES.arrayNode();
      for (JsonNode row : rows) {
        ArrayNode r = a.addArray();
        spec.columns().forEach(c -> r.add(row.get(c)));
      }
      out.put(spec.name(), a);
    }
    return out;
  }

  /**
   * A CSV body with a header row as objects keyed by column name: cells of FP32 columns as numbers (empty or {@code NA}
   * as NaN, a missing value), others as text. Quoting as RFC 4180 has it: see {@link CsvRecords}.
   */
  static JsonNode fromCsv(String csv, ModelSignature sig) {
    Map<String, DataType> types = new LinkedHashMap<>();
    sig.inputs().forEach(t -> t.columns().forEach(c -> types.put(c, t.datatype())));
    if (types.isEmpty()) {
      throw KilnException.invalid("the model declares no column names; send JSON rows in its input order");
    }
    List<CsvRecords.Record> records = CsvRecords.parse(csv);
    if (records.size() < 2) {
      throw KilnException.invalid("a CSV body needs a header row and at least one row");
    }
    List<String> header = records.get(0).cells();
    ArrayNode rows = NODES.arrayNode();
    for (int i = 1; i < records.size(); i++) {
      List<String> cells = records.get(i).cells();
      if (cells.size() != header.size()) {
        throw KilnException.invalid(
            "CSV row " + i + " has " + cells.size() + " cells; the header has " + header.size());
      }
      ObjectNode row = rows.addObject();
      for (int c = 0; c < header.size(); c++) {
        String name = header.get(c);
        row.set(name, cell(cells.get(c), types.get(name), name, i));
      }
    }
    return rows;
  }

  private static JsonNode cell(String text, DataType type, String column, int row) {
    if (type != DataType.FP32) {
      return NODES.textNode(text);
    }
    if (text.isEmpty() || text.equalsIgnoreCase("NA") || text.equalsIgnoreCase("NaN") || text.equals("?")) {
      return NODES.nullNode(); // null is NaN in JSON tensor data
    }
    try {
      return NODES.numberNode(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      throw KilnException.invalid("CSV row " + row + ", column '" + column + "': '" + text + "' is not a number");
    }
  }

  private static String problem(List<String> missing, List<String> extra) {
    List<String> parts = new ArrayList<>();
    if (!missing.isEmpty()) {
      parts.add("missing column(s) " + quoted(missing));
    }
    if (!extra.isEmpty()) {
      parts.add("unknown column(s) " + quoted(extra));
    }
    return String.join("; ", parts);
  }

  private static String quoted(List<String> names) {
    return names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
  }
}
