package dev.kiln.training.engine;

/** One finished epoch. Accuracies are NaN for regression; validation values are NaN without a validation split. */
public record EpochMetrics(
    int epoch, int epochs, double loss, double accuracy, double valLoss, double valAccuracy, double seconds) {
  /** The value early stopping monitors, by Keras's name. */
  public double get(String name) {
    return switch (name) {
      case "loss" -> loss;
      case "accuracy" -> accuracy;
      case "val_loss" -> valLoss;
      case "val_accuracy" -> valAccuracy;
      default ->
          throw new IllegalArgumentException(
              "unknown metric " + name + " (one of loss, accuracy, val_loss, val_accuracy)");
    };
  }
}
