package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.Task;
import java.util.List;

/**
 * What a sweep optimises: a metric every trial reports each epoch, and whether higher or lower is better.
 *
 * @param metric {@code val_accuracy}, {@code val_loss}, {@code accuracy} or {@code loss}; null in a request for the
 *     default ({@code val_accuracy} for classification, {@code val_loss} for regression)
 * @param direction {@code max} or {@code min}; null in a request for the metric's own ({@code max} for accuracies)
 */
public record Objective(String metric, String direction) {
  static final Objective DEFAULT = new Objective(null, null);

  /** Reads {@code "val_loss"} or {@code {"metric": "val_loss", "direction": "min"}}; absent is {@link #DEFAULT}. */
  static Objective read(JsonNode node) {
    if (node == null || node.isNull()) {
      return DEFAULT;
    }
    if (node.isTextual()) {
      return new Objective(node.asText(), null);
    }
    if (!node.isObject()
        || !node.path("metric").isTextual() && !node.path("metric").isMissingNode()
        || !node.path("direction").isTextual() && !node.path("direction").isMissingNode()) {
      throw KilnException.invalid("objective: expected a metric name or {\"metric\": NAME, \"direction\": max|min}");
    }
    return new Objective(
        node.has("metric") ? node.get("metric").asText() : null,
        node.has("direction") ? node.get("direction").asText() : null);
  }

  /** The metrics a task's trials report, the default first. */
  static List<String> metrics(Task.Type task) {
    return task == Task.Type.CLASSIFICATION
        ? List.of("val_accuracy", "val_loss", "accuracy", "loss")
        : List.of("val_loss", "loss");
  }

  /** This objective with its defaults filled in for {@code task}, checked against what such trials report. */
  Objective resolve(Task.Type task) {
    List<String> allowed = metrics(task);
    String m = metric == null ? allowed.getFirst() : metric;
    if (!allowed.contains(m)) {
      throw KilnException.invalid(
          "objective.metric: '"
              + m
              + "' is not reported by "
              + task.name().toLowerCase()
              + " trials (one of: "
              + String.join(", ", allowed)
              + ")");
    }
    String d = direction == null ? (m.endsWith("accuracy") ? "max" : "min") : direction;
    if (!d.equals("max") && !d.equals("min")) {
      throw KilnException.invalid("objective.direction: '" + d + "' (expected max or min)");
    }
    return new Objective(m, d);
  }

  /** True when {@code a} is strictly better than {@code b}; a value that is not finite is never better. */
  boolean better(double a, double b) {
    if (!Double.isFinite(a)) {
      return false;
    }
    return !Double.isFinite(b) || (direction.equals("max") ? a > b : a < b);
  }
}
