package dev.kiln.training.engine;

import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import java.util.List;

/**
 * Fits {@code linear_regression} (exact least squares, {@link LeastSquares}) and {@code logistic_regression} (L-BFGS to
 * convergence, {@link LogisticFit}) with {@code solver: exact}, the default, on the preprocessed features, in any
 * engine: the result is the one dense layer {@link NetworkPlan} describes, so export is unchanged. Such a fit is one
 * "epoch" in the history; it is deterministic, so a resumed job simply fits again.
 */
public final class ExactFit {
  private ExactFit() {}

  /** True when {@link #train} is how the plan's model is fitted. */
  public static boolean applies(ModelSpec spec) {
    return spec.exact();
  }

  public static TrainedModel train(TrainingPlan plan) throws TrainingException {
    if (!applies(plan.spec())) {
      throw new IllegalArgumentException("not an exact linear or logistic regression");
    }
    long start = System.nanoTime();
    PreparedData data = plan.data();
    NetworkPlan network = NetworkPlan.of(plan.spec(), data.task());
    double l2 = plan.spec().l2Penalty();
    LinearModel model;
    if (plan.spec().type() == ModelType.LINEAR_REGRESSION) {
      model = new LinearModel(LeastSquares.solve(data.exactTrainRows(), l2), 1, network.head());
    } else {
      int outputs = network.head() == NetworkPlan.Head.SIGMOID ? 1 : data.task().classCount();
      model = new LinearModel(LogisticFit.fit(data.train(), outputs, l2, plan.cancelled()), outputs, network.head());
    }
    boolean regression = network.head() == NetworkPlan.Head.NONE;
    double[] train = metrics(model, data.train(), regression);
    double[] validation = metrics(model, data.validation(), regression);
    double seconds = (System.nanoTime() - start) / 1e9;
    EpochMetrics epoch =
        new EpochMetrics(
            1,
            1,
            train[0],
            train[1],
            validation[0],
            validation[1],
            seconds,
            ErrorMetrics.of(
                plan.spec().metrics(), new double[] {train[0], train[2]}, new double[] {validation[0], validation[2]}));
    plan.listener().onEpoch(epoch);
    return new TrainedModel(model.params(), List.of(epoch), 1, false, model);
  }

  /**
   * {@code [loss, accuracy, mae]}: mean squared error, NaN and mean absolute error for regression; mean log loss,
   * accuracy and NaN otherwise.
   */
  private static double[] metrics(LinearModel model, Examples rows, boolean regression) {
    if (rows.count() == 0) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    float[] out = model.predict(rows);
    int width = out.length / rows.count();
    double loss = 0;
    double absolute = 0;
    int correct = 0;
    for (int i = 0; i < rows.count(); i++) {
      double y = rows.targets()[i];
      if (regression) {
        loss += (out[i] - y) * (out[i] - y);
        absolute += Math.abs(out[i] - y);
        continue;
      }
      int best = 0;
      for (int k = 1; k < width; k++) {
        best = out[i * width + k] > out[i * width + best] ? k : best;
      }
      correct += best == (int) y ? 1 : 0;
      loss -= Math.log(Math.max(out[i * width + (int) y], 1e-15));
    }
    int n = rows.count();
    return new double[] {
      loss / n, regression ? Double.NaN : (double) correct / n, regression ? absolute / n : Double.NaN
    };
  }
}
