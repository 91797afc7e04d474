package dev.kiln.training.engine;

import dev.kiln.training.data.Examples;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * Logistic regression fitted to convergence by L-BFGS, as scikit-learn's LogisticRegression does by default: minimises
 * {@code sum(log loss) + l2 / 2 * |W|^2} (the intercepts not penalised). One output is a sigmoid over the positive
 * class (two classes), more are a softmax (multinomial). The objective is strictly convex for {@code l2 > 0}, so the
 * optimum does not depend on a learning rate, an initialisation or an epoch count.
 *
 * <p>Parameters are laid out per output: {@code d} weights then the intercept.
 */
final class LogisticFit {
  /** Curvature pairs kept, as in scikit-learn's (SciPy's) L-BFGS. */
  private static final int MEMORY = 10;

  private static final int MAX_ITERATIONS = 1000;

  /** Stop when the largest gradient entry of the per-row objective is this small. */
  private static final double GRADIENT_TOLERANCE = 1e-7;

  private LogisticFit() {}

  static double[] fit(Examples rows, int outputs, double l2, BooleanSupplier cancelled)
      throws TrainingException.Cancelled {
    Objective f = new Objective(rows, outputs, l2);
    double[] theta = new double[f.size()];
    double[] g = new double[f.size()];
    double value = f.evaluate(theta, g);
    Deque<double[][]> pairs = new ArrayDeque<>();
    for (int it = 0; it < MAX_ITERATIONS && maxAbs(g) > GRADIENT_TOLERANCE; it++) {
      if (cancelled.getAsBoolean()) {
        throw new TrainingException.Cancelled();
      }
      double[] dir = direction(g, pairs);
      double slope = dot(g, dir);
      if (slope >= 0) {
        pairs.clear();
        dir = scaled(g, -1);
        slope = dot(g, dir);
      }
      // Backtracking (Armijo) from the full quasi-Newton step; the first step is scaled to unit length.
      double step = pairs.isEmpty() ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
      double[] next = new double[theta.length];
      double[] nextG = new double[theta.length];
      double nextValue;
      while (true) {
        for (int i = 0; i < theta.length; i++) {
          next[i] = theta[i] + step * dir[i];
        }
        nextValue = f.evaluate(next, nextG);
        if (nextValue <= value + 1e-4 * step * slope || step < 1e-20) {
          break;
        }
        step /= 2;
      }
      double[] s = new double[theta.length];
      double[] y = new double[theta.length];
      for (int i = 0; i < theta.length; i++) {
        s[i] = next[i] - theta[i];
        y[i] = nextG[i] - g[i];
      }
      if (dot(s, y) > 1e-16) {
        if (pairs.size() == MEMORY) {
          pairs.removeFirst();
        }
        pairs.addLast(new double[][] {s, y});
      }
      boolean stalled = value - nextValue <= 1e-15 * Math.max(1, Math.abs(value));
      theta = next;
      g = nextG;
      value = nextValue;
      if (stalled) {
        break;
      }
    }
    return theta;
  }

  /** The two-loop recursion: -H g for the inverse Hessian estimate H the pairs define. */
  private static double[] direction(double[] g, Deque<double[][]> pairs) {
    double[] q = g.clone();
    double[] alpha = new double[pairs.size()];
    int k = pairs.size() - 1;
    for (var it = pairs.descendingIterator(); it.hasNext(); k--) {
      double[][] p = it.next();
      alpha[k] = dot(p[0], q) / dot(p[1], p[0]);
      axpy(-alpha[k], p[1], q);
    }
    if (!pairs.isEmpty()) {
      double[][] last = pairs.getLast();
      q = scaled(q, dot(last[0], last[1]) / dot(last[1], last[1]));
    }
    k = 0;
    for (double[][] p : pairs) {
      double beta = dot(p[1], q) / dot(p[1], p[0]);
      axpy(alpha[k++] - beta, p[0], q);
    }
    return scaled(q, -1);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static double[] scaled(double[] x, double a) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = a * x[i];
    }
    return out;
  }

  private static double maxAbs(double[] x) {
    double m = 0;
    for (double v : x) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /**
   * The objective divided by the row count (same optimum, a scale-free tolerance), and its gradient. Only each row's
   * non-zero features are visited: a text's TF-IDF bag holds a few dozen of thousands, and skipping zeros leaves every
   * sum unchanged. On the seed-article sentences (290 training rows, 3,400 n-grams) a fit took 5.5 s visiting every
   * feature and 1.3 s visiting these (BENCHMARKS.md, "Text classification").
   */
  private static final class Objective {
    private final Examples rows;
    private final int outputs;
    private final double l2;
    private final int[][] nonZero;

    Objective(Examples rows, int outputs, double l2) {
      this.rows = rows;
      this.outputs = outputs;
      this.l2 = l2;
      int d = rows.rowSize();
      nonZero = new int[rows.count()][];
      for (int i = 0; i < rows.count(); i++) {
        int from = i * d;
        nonZero[i] = IntStream.range(0, d).filter(j -> rows.features()[from + j] != 0).toArray();
      }
    }

    int size() {
      return outputs * (rows.rowSize() + 1);
    }

    double evaluate(double[] theta, double[] grad) {
      int d = rows.rowSize();
      int n = rows.count();
      float[] x = rows.features();
      Arrays.fill(grad, 0);
      double[] z = new double[outputs];
      double[] r = new double[outputs];
      double loss = 0;
      for (int i = 0; i < n; i++) {
        int from = i * d;
        for (int k = 0; k < outputs; k++) {
          int base = k * (d + 1);
          double s = theta[base + d];
          for (int j : nonZero[i]) {
            s += theta[base + j] * x[from + j];
          }
          z[k] = s;
        }
        loss += LinearModel.logLoss(z, (int) rows.targets()[i], r);
        for (int k = 0; k < outputs; k++) {
          int base = k * (d + 1);
          for (int j : nonZero[i]) {
            grad[base + j] += r[k] * x[from + j];
          }
          grad[base + d] += r[k];
        }
      }
      for (int k = 0; k < outputs; k++) {
        for (int j = 0; j < d; j++) {
          int at = k * (d + 1) + j;
          loss += 0.5 * l2 * theta[at] * theta[at];
          grad[at] += l2 * theta[at];
        }
      }
      double scale = 1.0 / Math.max(n, 1);
      for (int i = 0; i < grad.length; i++) {
        grad[i] *= scale;
      }
      return loss * scale;
    }
  }
}
