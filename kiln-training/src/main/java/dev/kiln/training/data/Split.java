package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Row indexes of a seeded train/validation/test split. With strata (class indexes), each class is shuffled on its own
 * and the classes are interleaved evenly before cutting, so every split keeps the class proportions.
 */
public record Split(int[] train, int[] validation, int[] test) {

  /**
   * @param strata one class index per row, or null for a plain shuffle
   * @throws DatasetException when the fractions are invalid, or a requested split (or train) would be empty
   */
  public static Split of(int rows, int[] strata, double validation, double test, long seed) {
    if (!(validation >= 0) || !(test >= 0) || !(validation + test < 1)) {
      throw new DatasetException(
          "split fractions: validation " + validation + ", test " + test + " (expected: each >= 0, together < 1)");
    }
    int nTest = count(rows, test, "test");
    int nValidation = count(rows, validation, "validation");
    if (rows - nTest - nValidation < 1) {
      throw new DatasetException("split: " + rows + " rows leave none for training");
    }
    int[] order = strata == null ? shuffled(rows, new Random(seed)) : stratified(strata, new Random(seed));
    return new Split(
        Arrays.copyOfRange(order, nTest + nValidation, rows),
        Arrays.copyOfRange(order, nTest, nTest + nValidation),
        Arrays.copyOfRange(order, 0, nTest));
  }

  /**
   * This split with each index {@code i} replaced by {@code rows[i]}: for a split made over a subset of a dataset's
   * rows (rows with missing values dropped), the indexes into the whole dataset.
   */
  public Split through(int[] rows) {
    return new Split(pick(train, rows), pick(validation, rows), pick(test, rows));
  }

  /** No rows at all: the split of data that did not come from a dataset version's rows. */
  public static Split none() {
    return new Split(new int[0], new int[0], new int[0]);
  }

  private static int[] pick(int[] indexes, int[] rows) {
    return Arrays.stream(indexes).map(i -> rows[i]).toArray();
  }

  private static int count(int rows, double fraction, String what) {
    int n = (int) Math.round(rows * fraction);
    if (fraction > 0 && n == 0) {
      throw new DatasetException(
          "split: "
              + what
              + " fraction "
              + fraction
              + " of "
              + rows
              + " rows gives no rows; use more data or a larger fraction");
    }
    return n;
  }

  private static int[] shuffled(int n, Random random) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** Orders rows by their relative position inside their shuffled class, so any prefix is stratified. */
  private static int[] stratified(int[] strata, Random random) {
    int classes = Arrays.stream(strata).max().orElse(-1) + 1;
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < strata.length; i++) {
      byClass.get(strata[i]).add(i);
    }
    List<double[]> keyed = new ArrayList<>(strata.length);
    for (List<Integer> members : byClass) {
      int[] perm = shuffled(members.size(), random);
      double jitter = random.nextDouble();
      for (int k = 0; k < perm.length; k++) {
        keyed.add(new double[] {(k + jitter) / perm.length, members.get(perm[k])});
      }
    }
    keyed.sort(Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> e[1]));
    return keyed.stream().mapToInt(e -> (int) e[1]).toArray();
  }
}
