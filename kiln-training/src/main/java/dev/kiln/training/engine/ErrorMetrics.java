package dev.kiln.training.engine;

import dev.kiln.training.spec.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The regression metrics an epoch reports ({@link EpochMetrics#metrics()}): those of {@code mae}, {@code mse} and
 * {@code rmse} the spec lists, for the training rows and (as {@code val_...}) the validation rows, in the target's
 * units. Engines measure the squared and absolute error sums; this names them.
 */
public final class ErrorMetrics {
  private ErrorMetrics() {}

  /** Whether the listed metrics need the absolute error, which costs engines an extra reduction per step. */
  public static boolean wantsMae(List<String> metrics) {
    return metrics.stream().anyMatch(m -> Metric.monitor(m).equals(Metric.MAE.key()));
  }

  /**
   * @param train {@code [mse, mae]} over the training rows (mae NaN when not measured)
   * @param validation the same over the validation rows; NaN when there are none
   */
  public static Map<String, Double> of(List<String> metrics, double[] train, double[] validation) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String listed : metrics) {
      String name = Metric.monitor(listed); // a spec not yet resolved may list Keras's long names
      double[] t = values(name, train);
      if (t.length > 0) {
        out.put(name, t[0]);
        out.put("val_" + name, values(name, validation)[0]);
      }
    }
    return out;
  }

  private static double[] values(String name, double[] mseMae) {
    return switch (name) {
      case "mse" -> new double[] {mseMae[0]};
      case "rmse" -> new double[] {Math.sqrt(mseMae[0])};
      case "mae" -> new double[] {mseMae[1]};
      default -> new double[0];
    };
  }
}
