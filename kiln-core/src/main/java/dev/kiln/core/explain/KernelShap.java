package dev.kiln.core.explain;

import dev.kiln.core.error.KilnException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kernel SHAP (Lundberg and Lee, 2017): Shapley values of one row's features, estimated without gradients. Each
 * coalition of features keeps the row's values for its members and takes the others from every background row; the
 * model's mean output over the background is that coalition's value. A linear regression weighted by the Shapley
 * kernel, constrained so the attributions sum to f(x) − E[f(background)], gives the values. When all coalitions fit in
 * the sample budget they are enumerated (exact for additive models); otherwise they are drawn with a fixed seed, so the
 * same request gives the same answer.
 */
public final class KernelShap {
  private static final long SEED = 0x5EEDL;

  private KernelShap() {}

  /**
   * @param x the row explained
   * @param background rows standing in for absent features, each as long as {@code x}
   * @param samples most coalitions evaluated
   * @param targets output indices to explain; empty for all
   */
  public static List<Attribution> explain(
      double[] x, double[][] background, int samples, int[] targets, BatchModel model) {
    int m = x.length;
    if (m > Budget.MAX_FEATURES) {
      throw KilnException.invalid(
          "kernel_shap explains at most "
              + Budget.MAX_FEATURES
              + " input elements, this input has "
              + m
              + "; use method \"occlusion\" for images");
    }
    for (double[] b : background) {
      if (b.length != m) {
        throw KilnException.invalid(
            "each background row needs " + m + " values (the input's elements per row), got " + b.length);
      }
    }
    int rows = background.length;
    Budget.check(1 + rows + (long) Math.min(samples, m < 31 ? (1L << m) - 2 : samples) * rows, m);
    Coalitions c = coalitions(m, samples);
    int n = c.masks.size();
    double[][] in = new double[1 + rows + n * rows][];
    in[0] = x;
    System.arraycopy(background, 0, in, 1, rows);
    for (int s = 0; s < n; s++) {
      boolean[] mask = c.masks.get(s);
      for (int r = 0; r < rows; r++) {
        double[] row = background[r].clone();
        for (int j = 0; j < m; j++) {
          if (mask[j]) {
            row[j] = x[j];
          }
        }
        in[1 + rows + s * rows + r] = row;
      }
    }
    double[][] out = model.apply(in);
    int outputs = out[0].length;
    List<Attribution> result = new ArrayList<>();
    for (int t : Targets.resolve(targets, outputs)) {
      double fx = out[0][t];
      double base = mean(out, 1, rows, t);
      double[] v = new double[n];
      for (int s = 0; s < n; s++) {
        v[s] = mean(out, 1 + rows + s * rows, rows, t) - base;
      }
      result.add(new Attribution(t, fx, base, solve(c, v, fx - base, m)));
    }
    return result;
  }

  private static double mean(double[][] out, int from, int count, int t) {
    double s = 0;
    for (int i = 0; i < count; i++) {
      s += out[from + i][t];
    }
    return s / count;
  }

  /** Coalitions and their kernel weights; the empty and full coalitions are the constraint, not samples. */
  record Coalitions(List<boolean[]> masks, List<Double> weights) {}

  static Coalitions coalitions(int m, int samples) {
    List<boolean[]> masks = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    if (m < 2) {
      return new Coalitions(masks, weights);
    }
    if (m < 31 && (1L << m) - 2 <= samples) {
      for (long bits = 1; bits < (1L << m) - 1; bits++) {
        boolean[] mask = new boolean[m];
        int k = 0;
        for (int j = 0; j < m; j++) {
          mask[j] = (bits >> j & 1) == 1;
          k += mask[j] ? 1 : 0;
        }
        masks.add(mask);
        weights.add((m - 1) / (binomial(m, k) * k * (m - k)));
      }
      return new Coalitions(masks, weights);
    }
    // Draw the coalition size from the kernel's mass per size, then its members uniformly: equal weights.
    double[] mass = new double[m];
    double total = 0;
    for (int k = 1; k < m; k++) {
      mass[k] = (m - 1.0) / (k * (double) (m - k));
      total += mass[k];
    }
    SplittableRandom r = new SplittableRandom(SEED);
    for (int s = 0; s < samples; s++) {
      double u = r.nextDouble() * total;
      int k = 1;
      while (k < m - 1 && u > mass[k]) {
        u -= mass[k++];
      }
      boolean[] mask = new boolean[m];
      for (int chosen = 0; chosen < k; ) {
        int j = r.nextInt(m);
        if (!mask[j]) {
          mask[j] = true;
          chosen++;
        }
      }
      masks.add(mask);
      weights.add(1.0);
    }
    return new Coalitions(masks, weights);
  }

  private static double binomial(int n, int k) {
    double b = 1;
    for (int i = 1; i <= k; i++) {
      b = b * (n - k + i) / i;
    }
    return b;
  }

  /**
   * Weighted least squares with Σφ = total: the last feature's value is eliminated (φ_m = total − Σφ_j), leaving y −
   * z_m·total = Σ_j φ_j (z_j − z_m) over the other m − 1 features.
   */
  static double[] solve(Coalitions c, double[] v, double total, int m) {
    double[] phi = new double[m];
    if (m == 1) {
      phi[0] = total;
      return phi;
    }
    int p = m - 1;
    double[][] a = new double[p][p + 1];
    for (int s = 0; s < v.length; s++) {
      boolean[] z = c.masks.get(s);
      double w = c.weights.get(s);
      double zl = z[p] ? 1 : 0;
      double y = v[s] - zl * total;
      double[] d = new double[p];
      for (int j = 0; j < p; j++) {
        d[j] = (z[j] ? 1 : 0) - zl;
      }
      for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) {
          a[i][j] += w * d[i] * d[j];
        }
        a[i][p] += w * d[i] * y;
      }
    }
    double[] sol = Gauss.solve(a);
    double sum = 0;
    for (int j = 0; j < p; j++) {
      phi[j] = sol[j];
      sum += sol[j];
    }
    phi[p] = total - sum;
    return phi;
  }
}
