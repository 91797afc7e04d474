package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.kiln.core.error.KilnException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One axis of a search space: where a trial's value for one key comes from. Random and Latin-hypercube sampling map a
 * point {@code u} in {@code [0, 1)} onto the axis ({@link #at}); a grid takes every listed value ({@link #grid}).
 */
sealed interface Dimension {
  /** The forms a space entry may take, in the order error messages list them. */
  List<String> FORMS = List.of("values", "uniform", "log_uniform", "int");

  /** The value at {@code u} in {@code [0, 1)}; equal-width slices of {@code u} are equal-width (or -ratio) slices. */
  JsonNode at(double u);

  /** Every value, for a grid; empty for a range, which a grid cannot enumerate. */
  default Optional<List<JsonNode>> grid() {
    return Optional.empty();
  }

  /** A categorical axis: any JSON values (numbers, names, whole layer lists). */
  record Values(List<JsonNode> values) implements Dimension {
    @Override
    public JsonNode at(double u) {
      return values.get(Math.min(values.size() - 1, (int) (u * values.size())));
    }

    @Override
    public Optional<List<JsonNode>> grid() {
      return Optional.of(values);
    }
  }

  record Uniform(double lo, double hi) implements Dimension {
    @Override
    public JsonNode at(double u) {
      return DoubleNode.valueOf(lo + u * (hi - lo));
    }
  }

  /** Uniform in the logarithm: as many trials between 1e-4 and 1e-3 as between 1e-2 and 1e-1. */
  record LogUniform(double lo, double hi) implements Dimension {
    @Override
    public JsonNode at(double u) {
      return DoubleNode.valueOf(Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))));
    }
  }

  /** Integers from {@code lo} to {@code hi}, both included. */
  record IntRange(int lo, int hi) implements Dimension {
    @Override
    public JsonNode at(double u) {
      return IntNode.valueOf((int) Math.min(hi, lo + (long) Math.floor(u * ((long) hi - lo + 1))));
    }
  }

  /**
   * Reads {@code {"values": [...]}}, {@code {"uniform": [lo, hi]}}, {@code {"log_uniform": [lo, hi]}}, {@code {"int":
   * [lo, hi]}}.
   */
  static Dimension read(String key, JsonNode node) {
    String where = "space." + key;
    if (node == null || !node.isObject() || node.size() != 1 || !FORMS.contains(node.fieldNames().next())) {
      throw KilnException.invalid(
          where
              + ": expected one of {\"values\": [...]}, {\"uniform\": [lo, hi]}, {\"log_uniform\": [lo, hi]},"
              + " {\"int\": [lo, hi]}");
    }
    String form = node.fieldNames().next();
    JsonNode v = node.get(form);
    if (form.equals("values")) {
      if (!v.isArray() || v.isEmpty()) {
        throw KilnException.invalid(where + ".values: expected a non-empty list");
      }
      List<JsonNode> values = new ArrayList<>();
      v.forEach(values::add);
      return new Values(List.copyOf(values));
    }
    if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
      throw KilnException.invalid(where + "." + form + ": expected [lo, hi] (two numbers), got " + v);
    }
    double lo = v.get(0).asDouble();
    double hi = v.get(1).asDouble();
    if (!Double.isFinite(lo) || !Double.isFinite(hi) || lo > hi) {
      throw KilnException.invalid(where + "." + form + ": expected finite lo <= hi, got " + v);
    }
    return switch (form) {
      case "uniform" -> new Uniform(lo, hi);
      case "log_uniform" -> {
        if (lo <= 0) {
          throw KilnException.invalid(where + ".log_uniform: bounds must be > 0, got " + v);
        }
        yield new LogUniform(lo, hi);
      }
      default -> {
        if (!v.get(0).canConvertToExactIntegral()
            || !v.get(1).canConvertToExactIntegral()
            || !v.get(0).canConvertToInt()
            || !v.get(1).canConvertToInt()) {
          throw KilnException.invalid(where + ".int: bounds must be integers, got " + v);
        }
        yield new IntRange(v.get(0).asInt(), v.get(1).asInt());
      }
    };
  }
}
