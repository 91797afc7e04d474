package dev.kiln.training.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.IntStream;

/**
 * The ROC curve of a binary problem from the positive class's scores: one point per distinct score, from (0, 0) to (1,
 * 1), as scikit-learn's {@code roc_curve}. Tied scores make one point, so the trapezoid area under the full curve is
 * exactly {@link RocAuc}'s Mann-Whitney statistic (ties counting one half).
 *
 * <p>Held-out sets of many rows give as many points as distinct scores; a chart needs a few hundred. Points on a
 * straight line between their neighbours go first (that keeps the area exactly, as {@code drop_intermediate} does),
 * then the point whose triangle with its neighbours is smallest, one at a time (Visvalingam-Whyatt): what remains keeps
 * the curve's shape, and the area moves by at most the sum of the dropped triangles.
 */
final class RocCurve {
  /** The most points a report carries. */
  static final int MAX_POINTS = 200;

  private RocCurve() {}

  /** Empty when only one class is present, where the rates are undefined. */
  static List<RocPoint> of(boolean[] positive, double[] score, int maxPoints) {
    int n = score.length;
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> score[i]).reversed());
    long positives = 0;
    for (boolean p : positive) {
      positives += p ? 1 : 0;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return List.of();
    }
    List<RocPoint> points = new ArrayList<>();
    // Above every score nothing is called positive; scikit-learn before 1.3 used the same max + 1.
    points.add(new RocPoint(0, 0, score[order[0]] + 1));
    long tp = 0;
    long fp = 0;
    for (int start = 0; start < n; ) {
      int end = start;
      while (end + 1 < n && score[order[end + 1]] == score[order[start]]) {
        end++;
      }
      for (int i = start; i <= end; i++) {
        if (positive[order[i]]) {
          tp++;
        } else {
          fp++;
        }
      }
      points.add(new RocPoint((double) fp / negatives, (double) tp / positives, score[order[start]]));
      start = end + 1;
    }
    return simplify(points, maxPoints);
  }

  /** Trapezoid area under {@code points} (in order of rising false-positive rate). */
  static double area(List<RocPoint> points) {
    double sum = 0;
    for (int i = 1; i < points.size(); i++) {
      RocPoint a = points.get(i - 1);
      RocPoint b = points.get(i);
      sum += (b.fpr() - a.fpr()) * (a.tpr() + b.tpr()) / 2;
    }
    return sum;
  }

  /** Drops inner points, smallest triangle first, until at most {@code max} remain; the two ends always stay. */
  private static List<RocPoint> simplify(List<RocPoint> points, int max) {
    int n = points.size();
    int[] prev = new int[n];
    int[] next = new int[n];
    double[] weight = new double[n];
    for (int i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1;
    }
    record Candidate(double weight, int index) {}
    PriorityQueue<Candidate> queue = new PriorityQueue<>(Comparator.comparingDouble(Candidate::weight));
    for (int i = 1; i < n - 1; i++) {
      weight[i] = triangle(points.get(i - 1), points.get(i), points.get(i + 1));
      queue.add(new Candidate(weight[i], i));
    }
    boolean[] dropped = new boolean[n];
    int left = n;
    while (!queue.isEmpty()) {
      Candidate c = queue.poll();
      int i = c.index();
      if (dropped[i] || c.weight() != weight[i]) {
        continue; // stale: a neighbour went since this entry was queued
      }
      if (left <= max && c.weight() > 0) {
        break; // collinear points go even below the limit: they add nothing to the chart
      }
      dropped[i] = true;
      left--;
      int p = prev[i];
      int q = next[i];
      next[p] = q;
      prev[q] = p;
      for (int j : new int[] {p, q}) {
        if (j > 0 && j < n - 1) {
          weight[j] = triangle(points.get(prev[j]), points.get(j), points.get(next[j]));
          queue.add(new Candidate(weight[j], j));
        }
      }
    }
    List<RocPoint> out = new ArrayList<>(left);
    for (int i = 0; i < n; i = next[i]) {
      out.add(points.get(i));
    }
    return out;
  }

  private static double triangle(RocPoint a, RocPoint b, RocPoint c) {
    return Math.abs((b.fpr() - a.fpr()) * (c.tpr() - a.tpr()) - (c.fpr() - a.fpr()) * (b.tpr() - a.tpr())) / 2;
  }
}
