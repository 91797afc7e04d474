package dev.kiln.training.eval;

import java.util.Locale;
import java.util.Objects;

/**
 * Regression quality on held-out rows.
 *
 * @param r2 the coefficient of determination, {@code 1 - SS_res / SS_tot}: 1 for perfect predictions, 0 for always
 *     predicting the mean, negative for worse. When the actual values are all equal ({@code SS_tot = 0}) it is 1 if the
 *     predictions are perfect and 0 otherwise, as scikit-learn's {@code force_finite} does, so the report never holds
 *     NaN or infinity
 */
public record RegressionReport(int n, double mse, double rmse, double mae, double r2) {
  public static RegressionReport of(float[] actual, float[] predicted) {
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(predicted, "predicted");
    if (actual.length != predicted.length || actual.length == 0) {
      throw new IllegalArgumentException(
          "actual and predicted need the same, non-zero length, got " + actual.length + " and " + predicted.length);
    }
    int n = actual.length;
    double mean = 0;
    for (float a : actual) {
      mean += a;
    }
    mean /= n;
    // Sums in double: float accumulation loses digits over a large test split.
    double squared = 0;
    double absolute = 0;
    double total = 0;
    for (int i = 0; i < n; i++) {
      double e = (double) actual[i] - predicted[i];
      squared += e * e;
      absolute += Math.abs(e);
      total += (actual[i] - mean) * (actual[i] - mean);
    }
    double r2 = total == 0 ? (squared == 0 ? 1 : 0) : 1 - squared / total;
    return new RegressionReport(n, squared / n, Math.sqrt(squared / n), absolute / n, r2);
  }

  /** One line for the CLI. */
  public String render() {
    return String.format(Locale.ROOT, "n %d  mse %.4f  rmse %.4f  mae %.4f  r2 %.4f%n", n, mse, rmse, mae, r2);
  }
}
