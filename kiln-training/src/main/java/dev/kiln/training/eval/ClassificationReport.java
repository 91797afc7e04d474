package dev.kiln.training.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Classification quality on held-out rows, as scikit-learn's {@code classification_report}, confusion matrix, {@code
 * roc_auc_score} and {@code log_loss} compute them.
 *
 * <p>A ratio whose denominator is zero (precision of a class never predicted, recall of a class absent from {@code
 * actual}, F1 when both are 0) is 0, as scikit-learn's {@code zero_division=0}. Averages run over every class in {@code
 * classes}, present or not.
 *
 * @param confusion counts, rows the actual class and columns the predicted one, in {@code classes} order
 * @param rocAuc binary problems with probabilities only, from the probability of class 1; null otherwise, and when
 *     {@code actual} holds one class only (the area is undefined)
 * @param roc the ROC curve behind {@code rocAuc}, at most {@value RocCurve#MAX_POINTS} points in order of rising
 *     false-positive rate (its trapezoid area is {@code rocAuc} unless points were dropped for size); null where {@code
 *     rocAuc} is, and in reports stored before it existed
 * @param logLoss mean negative log probability of the actual class, probabilities clipped to {@code [1e-15, 1 -
 *     1e-15]}; null without probabilities
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassificationReport(
    int n,
    double accuracy,
    List<ClassMetrics> classes,
    Average macro,
    Average weighted,
    List<List<Integer>> confusion,
    Double rocAuc,
    List<RocPoint> roc,
    Double logLoss) {
  private static final double CLIP = 1e-15;

  public record ClassMetrics(String name, double precision, double recall, double f1, int support) {}

  public record Average(double precision, double recall, double f1) {}

  public ClassificationReport {
    classes = List.copyOf(classes);
    confusion = confusion.stream().map(List::copyOf).toList();
    roc = roc == null ? null : List.copyOf(roc);
  }

  /**
   * @param actual class indices into {@code classes}
   * @param predicted class indices into {@code classes}
   * @param probabilities row-major {@code [n][k]} class probabilities, or null
   */
  public static ClassificationReport of(int[] actual, int[] predicted, float[] probabilities, List<String> classes) {
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(predicted, "predicted");
    Objects.requireNonNull(classes, "classes");
    int n = actual.length;
    int k = classes.size();
    if (n == 0 || predicted.length != n) {
      throw new IllegalArgumentException(
          "actual and predicted need the same, non-zero length, got " + n + " and " + predicted.length);
    }
    if (probabilities != null && probabilities.length != (long) n * k) {
      throw new IllegalArgumentException(
          "probabilities: " + probabilities.length + " values (expected: " + n + " x " + k + ")");
    }
    int[][] counts = new int[k][k];
    int correct = 0;
    for (int i = 0; i < n; i++) {
      checkIndex("actual", i, actual[i], k);
      checkIndex("predicted", i, predicted[i], k);
      counts[actual[i]][predicted[i]]++;
      correct += actual[i] == predicted[i] ? 1 : 0;
    }
    List<ClassMetrics> perClass = perClass(counts, classes);
    Optional<Scores> binary = Scores.of(actual, probabilities, k);
    return new ClassificationReport(
        n,
        (double) correct / n,
        perClass,
        average(perClass, false),
        average(perClass, true),
        toLists(counts),
        binary.map(b -> RocAuc.of(b.positive(), b.score())).orElse(null),
        binary
            .map(b -> RocCurve.of(b.positive(), b.score(), RocCurve.MAX_POINTS))
            .filter(c -> !c.isEmpty())
            .orElse(null),
        logLoss(actual, probabilities, k));
  }

  private static List<ClassMetrics> perClass(int[][] counts, List<String> classes) {
    int k = classes.size();
    List<ClassMetrics> out = new ArrayList<>(k);
    for (int c = 0; c < k; c++) {
      int truePositives = counts[c][c];
      int support = 0;
      int predictedAs = 0;
      for (int j = 0; j < k; j++) {
        support += counts[c][j];
        predictedAs += counts[j][c];
      }
      double precision = ratio(truePositives, predictedAs);
      double recall = ratio(truePositives, support);
      out.add(
          new ClassMetrics(
              classes.get(c), precision, recall, ratio(2 * precision * recall, precision + recall), support));
    }
    return out;
  }

  private static Average average(List<ClassMetrics> perClass, boolean bySupport) {
    double p = 0;
    double r = 0;
    double f = 0;
    double weights = 0;
    for (ClassMetrics m : perClass) {
      double w = bySupport ? m.support() : 1;
      p += w * m.precision();
      r += w * m.recall();
      f += w * m.f1();
      weights += w;
    }
    return new Average(ratio(p, weights), ratio(r, weights), ratio(f, weights));
  }

  /** The positive class's probability per row, for binary problems with probabilities. */
  private record Scores(boolean[] positive, double[] score) {
    static Optional<Scores> of(int[] actual, float[] probabilities, int k) {
      if (probabilities == null || k != 2) {
        return Optional.empty();
      }
      boolean[] positive = new boolean[actual.length];
      double[] score = new double[actual.length];
      for (int i = 0; i < actual.length; i++) {
        positive[i] = actual[i] == 1;
        score[i] = probabilities[i * 2 + 1];
      }
      return Optional.of(new Scores(positive, score));
    }
  }

  private static Double logLoss(int[] actual, float[] probabilities, int k) {
    if (probabilities == null) {
      return null;
    }
    double sum = 0;
    for (int i = 0; i < actual.length; i++) {
      double p = Math.min(Math.max(probabilities[i * k + actual[i]], CLIP), 1 - CLIP);
      sum -= Math.log(p);
    }
    return sum / actual.length;
  }

  private static double ratio(double numerator, double denominator) {
    return denominator == 0 ? 0 : numerator / denominator;
  }

  private static void checkIndex(String what, int row, int index, int k) {
    if (index < 0 || index >= k) {
      throw new IllegalArgumentException(what + "[" + row + "]: " + index + " (expected: 0.." + (k - 1) + ")");
    }
  }

  private static List<List<Integer>> toLists(int[][] counts) {
    List<List<Integer>> rows = new ArrayList<>(counts.length);
    for (int[] row : counts) {
      rows.add(Arrays.stream(row).boxed().toList());
    }
    return rows;
  }

  /** Per-class table, averages, then the confusion matrix; for {@code kiln jobs show}. */
  public String render() {
    int width = Math.max(12, classes.stream().mapToInt(m -> m.name().length()).max().orElse(0) + 2);
    String row = "%-" + width + "s %9s %9s %9s %9s%n";
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "accuracy %.4f  (n = %d)", accuracy, n));
    if (rocAuc != null) {
      out.append(String.format(Locale.ROOT, "  roc_auc %.4f", rocAuc));
    }
    if (logLoss != null) {
      out.append(String.format(Locale.ROOT, "  log_loss %.4f", logLoss));
    }
    out.append("\n\n").append(String.format(row, "class", "precision", "recall", "f1", "support"));
    for (ClassMetrics m : classes) {
      out.append(String.format(row, m.name(), f(m.precision()), f(m.recall()), f(m.f1()), m.support()));
    }
    out.append(String.format(row, "macro avg", f(macro.precision()), f(macro.recall()), f(macro.f1()), n));
    out.append(String.format(row, "weighted avg", f(weighted.precision()), f(weighted.recall()), f(weighted.f1()), n));
    out.append("\nconfusion matrix (rows: actual, columns: predicted)\n");
    // Each column is as wide as its longest class name or count, after one space, so names never run together.
    int counts = confusion.stream().flatMap(List::stream).mapToInt(c -> Integer.toString(c).length()).max().orElse(1);
    int names = classes.stream().mapToInt(m -> m.name().length()).max().orElse(0);
    String cell = " %" + Math.max(5, Math.max(names, counts)) + "s";
    out.append(String.format("%-" + width + "s", ""));
    classes.forEach(m -> out.append(String.format(cell, m.name())));
    out.append('\n');
    for (int i = 0; i < classes.size(); i++) {
      out.append(String.format("%-" + width + "s", classes.get(i).name()));
      confusion.get(i).forEach(c -> out.append(String.format(cell, c)));
      out.append('\n');
    }
    return out.toString();
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
