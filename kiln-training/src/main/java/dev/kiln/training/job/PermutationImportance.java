package dev.kiln.training.job;

import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.TabularPreprocessing;
import dev.kiln.training.engine.TrainedModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Global permutation importance on the held-out test split: how much the task's score drops when one raw column's
 * values are shuffled across the test rows, as scikit-learn's {@code permutation_importance} measures it. The prepared
 * features that come from one raw column (a categorical column's one-hot block) are shuffled together, so a column
 * counts once however many categories it has.
 *
 * @param metric the score that drops: {@code accuracy} for classification, {@code r2} for regression
 * @param baseline the score on the unshuffled test rows
 * @param rows how many test rows were shuffled: the whole test split, or its first {@link #MAX_ROWS} (a random sample,
 *     as the split is drawn at random) so a large split costs no more than that many rows per shuffle
 * @param repeats how many seeded shuffles each column's mean and std come from
 * @param seed the seed of the shuffles: the same seed gives the same importances
 * @param columns each raw input column, most important first
 */
record PermutationImportance(String metric, double baseline, int rows, int repeats, long seed, List<Column> columns) {
  static final int DEFAULT_REPEATS = 5;

  /** Each column costs {@code repeats} predictions over at most this many rows. */
  static final int MAX_ROWS = 10_000;

  /**
   * One raw column's importance.
   *
   * @param importance the mean drop in the score over the repeats (negative when shuffling happened to help)
   * @param std the population standard deviation of the drops
   */
  record Column(String name, double importance, double std) {}

  /** A raw column and the prepared features {@code [from, to)} it becomes. */
  private record Block(String name, int from, int to) {}

  /**
   * The importances of a model on tabular data; empty for text and image data (a token or pixel is no raw column) and
   * for fewer than two test rows (nothing to shuffle).
   */
  static Optional<PermutationImportance> of(
      PreparedData data, TrainedModel.Predictor predictor, int repeats, long seed) {
    return of(data, predictor, repeats, seed, MAX_ROWS);
  }

  /** {@link #of(PreparedData, TrainedModel.Predictor, int, long)} on at most {@code maxRows} test rows. */
  static Optional<PermutationImportance> of(
      PreparedData data, TrainedModel.Predictor predictor, int repeats, long seed, int maxRows) {
    if (!(data.preprocessing() instanceof TabularPreprocessing pre) || data.test().count() < 2 || repeats < 1) {
      return Optional.empty();
    }
    List<Block> blocks = new ArrayList<>();
    int k = 0;
    for (TabularPreprocessing.NumericFit n : pre.numeric()) {
      blocks.add(new Block(n.name(), k, k + 1));
      k++;
    }
    for (TabularPreprocessing.CategoricalFit c : pre.categorical()) {
      blocks.add(new Block(c.name(), k, k + c.categories().size()));
      k += c.categories().size();
    }
    Examples test = data.test().count() > maxRows ? data.test().slice(0, maxRows) : data.test();
    boolean classification = data.task().classification();
    int classes = data.task().classCount();
    double baseline = score(predictor.predict(test), test.targets(), classification, classes);
    SplittableRandom random = new SplittableRandom(seed);
    List<Column> columns = new ArrayList<>();
    for (Block b : blocks) {
      double[] drops = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        Examples shuffled = shuffled(test, b, random);
        drops[r] = baseline - score(predictor.predict(shuffled), test.targets(), classification, classes);
      }
      columns.add(summary(b.name(), drops));
    }
    columns.sort(Comparator.comparingDouble(Column::importance).reversed());
    return Optional.of(
        new PermutationImportance(classification ? "accuracy" : "r2", baseline, test.count(), repeats, seed, columns));
  }

  /** The test rows with block {@code b}'s features moved between rows by one random permutation. */
  private static Examples shuffled(Examples test, Block b, SplittableRandom random) {
    int n = test.count();
    int w = test.rowSize();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    float[] features = test.features().clone();
    for (int i = 0; i < n; i++) {
      System.arraycopy(test.features(), order[i] * w + b.from(), features, i * w + b.from(), b.to() - b.from());
    }
    return new Examples(features, test.targets(), n);
  }

  private static Column summary(String name, double[] drops) {
    double mean = 0;
    for (double d : drops) {
      mean += d;
    }
    mean /= drops.length;
    double variance = 0;
    for (double d : drops) {
      variance += (d - mean) * (d - mean);
    }
    return new Column(name, mean, Math.sqrt(variance / drops.length));
  }

  /** Accuracy (the highest output wins, the first of ties, as the evaluation counts it), or R². */
  private static double score(float[] outputs, float[] targets, boolean classification, int classes) {
    int n = targets.length;
    if (classification) {
      int right = 0;
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
          if (outputs[i * classes + c] > outputs[i * classes + best]) {
            best = c;
          }
        }
        right += best == (int) targets[i] ? 1 : 0;
      }
      return (double) right / n;
    }
    double mean = 0;
    for (float t : targets) {
      mean += t;
    }
    mean /= n;
    double residual = 0;
    double total = 0;
    for (int i = 0; i < n; i++) {
      residual += ((double) targets[i] - outputs[i]) * ((double) targets[i] - outputs[i]);
      total += (targets[i] - mean) * (targets[i] - mean);
    }
    // As RegressionReport: constant targets give 1 for a perfect fit, else 0, never NaN.
    return total == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / total;
  }
}
