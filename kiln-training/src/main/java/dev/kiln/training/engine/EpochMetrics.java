package dev.kiln.training.engine;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finished epoch. Accuracies are NaN for regression; validation values are NaN without a validation split.
 *
 * @param metrics the regression metrics the spec lists ({@code mae}, {@code mse}, {@code rmse}, each with {@code
 *     val_}), in the target's units; written beside the other fields, as a Keras history names them, and empty for
 *     epochs stored before they were reported
 */
public record EpochMetrics(
    int epoch,
    int epochs,
    double loss,
    double accuracy,
    double valLoss,
    double valAccuracy,
    double seconds,
    @JsonAnySetter @JsonAnyGetter Map<String, Double> metrics) {
  public EpochMetrics {
    metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  public EpochMetrics(
      int epoch, int epochs, double loss, double accuracy, double valLoss, double valAccuracy, double seconds) {
    this(epoch, epochs, loss, accuracy, valLoss, valAccuracy, seconds, Map.of());
  }

  /** The value early stopping monitors, by the name epochs report it under. */
  public double get(String name) {
    return switch (name) {
      case "loss" -> loss;
      case "accuracy" -> accuracy;
      case "val_loss" -> valLoss;
      case "val_accuracy" -> valAccuracy;
      default -> {
        Double v = metrics.get(name);
        if (v == null) {
          throw new IllegalArgumentException(
              "unknown metric " + name + " (reported: loss, accuracy, " + metrics.keySet() + ")");
        }
        yield v;
      }
    };
  }
}
