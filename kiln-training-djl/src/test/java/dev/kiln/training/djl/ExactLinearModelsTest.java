package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.tensor.DataType;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.SampleData;
import dev.kiln.training.data.Task;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.eval.RegressionReport;
import dev.kiln.training.export.OnnxExporter;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.TrainingSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * linear_regression and logistic_regression are fitted exactly by default, through the engine, and export as fitted.
 */
class ExactLinearModelsTest {
  private static final TrainingSettings SETTINGS = new TrainingSettings(3, 32, 0.1, 0.2, 7L, null, 1);

  @TempDir Path dir;

  @Test
  void linearRegressionEqualsTheNormalEquations() throws Exception {
    PreparedData data = plane(400, 0.3, 5);
    try (TrainedModel m = train("type: linear_regression", data)) {
      assertCoefficients(m, reference(data.train(), 0));
      assertThat(m.history()).hasSize(1);
    }
  }

  @Test
  void l2GivesTheRidgeClosedForm() throws Exception {
    PreparedData data = plane(60, 1.0, 6);
    try (TrainedModel m = train("{type: linear_regression, l2: 25}", data)) {
      double[] ridge = reference(data.train(), 25);
      assertCoefficients(m, ridge);
      assertThat(ridge[0]).isNotCloseTo(reference(data.train(), 0)[0], within(1e-3));
    }
  }

  @Test
  void anscombesFirstQuartetHasItsPublishedFit() throws Exception {
    float[] x = {10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5};
    float[] y = {8.04f, 6.95f, 7.58f, 8.81f, 8.33f, 9.96f, 7.24f, 4.26f, 10.84f, 4.82f, 5.68f};
    Examples all = new Examples(x, y, x.length);
    PreparedData data = data(Task.regression("y"), 1, all, all.slice(0, 0), all);
    try (TrainedModel m = train("type: linear_regression", data)) {
      // Anscombe (1973): y = 3.00 + 0.500 x, r = 0.816 for each of the four sets.
      assertThat(m.params().get(0).get("weight").values()[0]).isCloseTo(0.5001f, within(1e-4f));
      assertThat(m.params().get(0).get("bias").values()[0]).isCloseTo(3.0001f, within(1e-4f));
      RegressionReport report = RegressionReport.of(y, m.predictor().predict(all));
      assertThat(report.r2()).isCloseTo(0.6665, within(1e-4));
    }
  }

  @Test
  void exportedModelsPredictAsFitted() throws Exception {
    PreparedData plane = plane(200, 0.3, 8);
    assertExportMatches("{type: linear_regression, l2: 3}", plane, OnnxExporter.PREDICTION);
    dir = dir.resolve("binary");
    assertExportMatches("type: logistic_regression", Synthetic.blobs(200, 3, 2, 9), OnnxExporter.PROBABILITIES);
  }

  @Test
  void bareLogisticRegressionConvergesOnDigits() throws Exception {
    PreparedData digits = digits();
    try (TrainedModel m = train("type: logistic_regression", digits)) {
      // scikit-learn's LogisticRegression() scores about 0.97 on standardised digits.
      assertThat(accuracy(m, digits.test())).isGreaterThan(0.95);
    }
  }

  @Test
  void gradientDescentOnlyWhenAsked() throws Exception {
    String spec = "{type: linear_regression, solver: gradient_descent, optimizer: {name: adam, learning_rate: 0.05}}";
    try (TrainedModel m = train(spec, plane(200, 0.3, 10))) {
      assertThat(m.history()).hasSize(SETTINGS.epochs());
    }
  }

  @Test
  void gradientDescentLearnsAFarTargetAndExportsItInItsOwnUnits() throws Exception {
    // y around 5000 with a spread of 400: unscaled, Adam at 0.05 moves the bias at most 18 in 40 epochs. Scaled, it
    // hovers within a step (0.05 standard deviations) of the optimum.
    PreparedData plane = plane(200, 0.3, 11);
    PreparedData far =
        data(plane.task(), 3, shifted(plane.train()), shifted(plane.validation()), shifted(plane.test()));
    String spec = "{type: linear_regression, optimizer: {name: adam, learning_rate: 0.05}}";
    TrainingSettings settings = new TrainingSettings(40, 16, 0.1, 0.2, 7L, null, 1);
    try (TrainedModel m = train(spec, far, settings)) {
      double[] exact = reference(far.train(), 0);
      float[] w = m.params().get(0).get("weight").values();
      for (int j = 0; j < w.length; j++) {
        assertThat((double) w[j]).as("weight %d", j).isCloseTo(exact[j], within(10.0));
      }
      assertThat((double) m.params().get(0).get("bias").values()[0]).isCloseTo(exact[3], within(10.0));
      NetworkPlan plan = NetworkPlan.of(ModelSpecReader.read(spec, ModelSpecReader.Format.YAML), far.task());
      byte[] onnx = OnnxExporter.export(plan, m.params(), far, Map.of());
      float[] expected = m.predictor().predict(far.test());
      float[] actual = OnnxExportTest.runOnnx(onnx, far, far.test(), OnnxExporter.PREDICTION);
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).as("output %d", i).isCloseTo(expected[i], within(0.01f));
      }
    }
  }

  private static Examples shifted(Examples rows) {
    float[] t = new float[rows.count()];
    for (int i = 0; i < t.length; i++) {
      t[i] = 5000 + 100 * rows.targets()[i];
    }
    return new Examples(rows.features(), t, rows.count());
  }

  private TrainedModel train(String spec, PreparedData data) throws Exception {
    return train(spec, data, SETTINGS);
  }

  private TrainedModel train(String spec, PreparedData data, TrainingSettings settings) throws Exception {
    ModelSpec s = ModelSpecReader.read(spec, ModelSpecReader.Format.YAML);
    return EngineFixture.ENGINE.train(new TrainingPlan(s, settings, data, dir, TrainingListener.NONE, () -> false));
  }

  private void assertExportMatches(String spec, PreparedData data, String output) throws Exception {
    try (TrainedModel m = train(spec, data)) {
      NetworkPlan plan = NetworkPlan.of(ModelSpecReader.read(spec, ModelSpecReader.Format.YAML), data.task());
      byte[] onnx = OnnxExporter.export(plan, m.params(), data, Map.of());
      float[] expected = m.predictor().predict(data.test());
      float[] actual = OnnxExportTest.runOnnx(onnx, data, data.test(), output);
      assertThat(actual).hasSameSizeAs(expected);
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).as("output %d", i).isCloseTo(expected[i], within(1e-4f));
      }
    }
  }

  private static void assertCoefficients(TrainedModel m, double[] expected) {
    float[] w = m.params().get(0).get("weight").values();
    for (int j = 0; j < w.length; j++) {
      assertThat((double) w[j]).as("weight %d", j).isCloseTo(expected[j], within(1e-6));
    }
    assertThat((double) m.params().get(0).get("bias").values()[0]).isCloseTo(expected[w.length], within(1e-6));
  }

  /** Solves (X'X + l2 I') b = X'y by Gauss-Jordan elimination with partial pivoting; I' skips the intercept. */
  private static double[] reference(Examples rows, double l2) {
    int d = rows.rowSize();
    int p = d + 1;
    double[][] a = new double[p][p + 1];
    for (int i = 0; i < rows.count(); i++) {
      for (int r = 0; r < p; r++) {
        double xr = r == d ? 1 : rows.features()[i * d + r];
        for (int c = 0; c < p; c++) {
          a[r][c] += xr * (c == d ? 1 : rows.features()[i * d + c]);
        }
        a[r][p] += xr * rows.targets()[i];
      }
    }
    for (int j = 0; j < d; j++) {
      a[j][j] += l2;
    }
    for (int c = 0; c < p; c++) {
      int pivot = c;
      for (int r = c + 1; r < p; r++) {
        pivot = Math.abs(a[r][c]) > Math.abs(a[pivot][c]) ? r : pivot;
      }
      double[] t = a[c];
      a[c] = a[pivot];
      a[pivot] = t;
      for (int r = 0; r < p; r++) {
        if (r != c) {
          double f = a[r][c] / a[c][c];
          for (int k = c; k <= p; k++) {
            a[r][k] -= f * a[c][k];
          }
        }
      }
    }
    double[] b = new double[p];
    for (int r = 0; r < p; r++) {
      b[r] = a[r][p] / a[r][r];
    }
    return b;
  }

  /** y = 1.5 + 2 x0 - 3 x1 + 0.5 x2 + noise, standard-normal features. */
  private static PreparedData plane(int n, double noise, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * 3];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] = (float) r.nextGaussian();
      }
      y[i] = (float) (1.5 + 2 * x[i * 3] - 3 * x[i * 3 + 1] + 0.5 * x[i * 3 + 2] + noise * r.nextGaussian());
    }
    Examples all = new Examples(x, y, n);
    return data(
        Task.regression("y"), 3, all.slice(0, n * 7 / 10), all.slice(n * 7 / 10, n * 8 / 10), all.slice(n * 8 / 10, n));
  }

  /** SampleData's digits (8x8, 0..16), shuffled, 80 % train, standardised on the training rows as Kiln does. */
  private static PreparedData digits() throws Exception {
    List<float[]> rows = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(new GZIPInputStream(SampleData.digitsCsv()), StandardCharsets.UTF_8))) {
      in.readLine();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] cells = line.split(",");
        float[] row = new float[cells.length];
        for (int i = 0; i < cells.length; i++) {
          row[i] = Float.parseFloat(cells[i]);
        }
        rows.add(row);
      }
    }
    Collections.shuffle(rows, new Random(1));
    int n = rows.size();
    int d = rows.getFirst().length - 1;
    int trainRows = n * 8 / 10;
    float[] x = new float[n * d];
    float[] y = new float[n];
    for (int j = 0; j < d; j++) {
      double mean = 0;
      double sq = 0;
      for (int i = 0; i < trainRows; i++) {
        mean += rows.get(i)[j] / trainRows;
      }
      for (int i = 0; i < trainRows; i++) {
        sq += Math.pow(rows.get(i)[j] - mean, 2) / trainRows;
      }
      double sd = sq > 0 ? Math.sqrt(sq) : 1;
      for (int i = 0; i < n; i++) {
        x[i * d + j] = (float) ((rows.get(i)[j] - mean) / sd);
        y[i] = rows.get(i)[d];
      }
    }
    Examples all = new Examples(x, y, n);
    List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    return data(
        Task.classification("digit", classes), d, all.slice(0, trainRows), all.slice(0, 0), all.slice(trainRows, n));
  }

  private static PreparedData data(Task task, int features, Examples train, Examples validation, Examples test) {
    return new PreparedData(
        task,
        List.of(features),
        train,
        validation,
        test,
        new Synthetic.Identity(List.of(features), DataType.FP32),
        new DatasetRef("synthetic", 1, "0".repeat(64)));
  }

  private static double accuracy(TrainedModel m, Examples rows) {
    float[] p = m.predictor().predict(rows);
    int k = p.length / rows.count();
    int correct = 0;
    for (int i = 0; i < rows.count(); i++) {
      int best = 0;
      for (int c = 1; c < k; c++) {
        best = p[i * k + c] > p[i * k + best] ? c : best;
      }
      correct += best == (int) rows.targets()[i] ? 1 : 0;
    }
    return (double) correct / rows.count();
  }
}
