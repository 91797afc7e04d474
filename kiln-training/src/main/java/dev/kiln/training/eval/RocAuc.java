package dev.kiln.training.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Area under the ROC curve as the Mann-Whitney statistic: the probability that a random positive scores above a random
 * negative, ties counting one half. Tied scores share their average rank, which gives exactly that.
 */
final class RocAuc {
  private RocAuc() {}

  /** Null when only one class is present, where the area is undefined. */
  static Double of(boolean[] positive, double[] score) {
    int n = score.length;
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));
    double positiveRankSum = 0;
    long positives = 0;
    for (int start = 0; start < n; ) {
      int end = start;
      while (end + 1 < n && score[order[end + 1]] == score[order[start]]) {
        end++;
      }
      double rank = (start + end) / 2.0 + 1; // ranks from 1, averaged over the tie group
      for (int i = start; i <= end; i++) {
        if (positive[order[i]]) {
          positiveRankSum += rank;
          positives++;
        }
      }
      start = end + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return null;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
