package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Epochs report the regression metrics a spec lists, in the target's units, from both solvers. */
class ReportedMetricsTest {
  private static final TrainingSettings SETTINGS = new TrainingSettings(4, 32, 0.2, 0.2, 7L, null, 4);
  @TempDir Path dir;

  private TrainedModel train(String spec, PreparedData data) throws Exception {
    return EngineFixture.ENGINE.train(
        new TrainingPlan(ModelSpecReader.read(spec), SETTINGS, data, dir, TrainingListener.NONE, () -> false));
  }

  /** {@code [mse, mae]} of the trained model's predictions on {@code rows}. */
  private static double[] errors(TrainedModel m, Examples rows) {
    float[] p = m.predictor().predict(rows);
    double squares = 0;
    double absolute = 0;
    for (int i = 0; i < rows.count(); i++) {
      double e = p[i] - rows.targets()[i];
      squares += e * e;
      absolute += Math.abs(e);
    }
    return new double[] {squares / rows.count(), absolute / rows.count()};
  }

  @Test
  void aSequentialRegressionReportsMaeAndRmseOnTrainingAndValidationRows() throws Exception {
    PreparedData data = Synthetic.line(400, 3);
    String spec =
        "layers: [{type: dense, units: 1}]\noptimizer: {name: sgd, learning_rate: 0.1}\n"
            + "metrics: [mean_absolute_error, rmse]";
    try (TrainedModel m = train(spec, data)) {
      EpochMetrics last = m.history().getLast();
      assertThat(last.metrics()).containsOnlyKeys("mae", "val_mae", "rmse", "val_rmse");
      double[] validation = errors(m, data.validation());
      assertThat(last.get("val_mae")).isCloseTo(validation[1], within(1e-5));
      assertThat(last.get("val_rmse")).isCloseTo(Math.sqrt(validation[0]), within(1e-5));
      assertThat(last.get("val_rmse") * last.get("val_rmse")).isCloseTo(last.valLoss(), within(1e-6));
      assertThat(last.get("mae")).isPositive();
    }
  }

  @Test
  void aLinearRegressionByGradientDescentReportsErrorsInTheTargetsUnitsNotTheStandardisedOnes() throws Exception {
    PreparedData data = Synthetic.line(400, 4);
    try (TrainedModel m = train("type: linear_regression\nsolver: gradient_descent\nmetrics: [mse, mae]", data)) {
      EpochMetrics last = m.history().getLast();
      double[] validation = errors(m, data.validation());
      assertThat(last.get("val_mse")).isCloseTo(validation[0], within(validation[0] * 1e-3));
      assertThat(last.get("val_mae")).isCloseTo(validation[1], within(validation[1] * 1e-3));
      // The loss stays in standardised units (the target's spread is about 1.15 here).
      assertThat(last.valLoss()).isNotCloseTo(last.get("val_mse"), within(last.get("val_mse") * 0.1));
    }
  }

  @Test
  void theExactSolverReportsTheListedMetricsOnItsOneEpoch() throws Exception {
    PreparedData data = Synthetic.line(300, 5);
    try (TrainedModel m = train("type: linear_regression\nmetrics: [mae]", data)) {
      EpochMetrics only = m.history().getFirst();
      assertThat(only.metrics()).containsOnlyKeys("mae", "val_mae");
      assertThat(only.get("val_mae")).isCloseTo(errors(m, data.validation())[1], within(1e-6));
      assertThat(only.get("mae")).isCloseTo(errors(m, data.train())[1], within(1e-6));
    }
  }
}
