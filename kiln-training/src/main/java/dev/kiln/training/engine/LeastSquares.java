package dev.kiln.training.engine;

import dev.kiln.training.data.ExactRows;

/**
 * Exact (ridge) least squares: minimises {@code sum((y - Xw - b)^2) + l2 * |w|^2}, the intercept not penalised, as
 * scikit-learn's LinearRegression and Ridge do.
 *
 * <p>Normal equations solved by Cholesky, in double precision, on rows prepared in double ({@link ExactRows}: float
 * features would cost the raw-unit coefficients about 1e-7 relative, 5e-6 on diabetes' largest). Why not QR: tabular
 * models have few features (tens to hundreds) and many rows, so accumulating the {@code (d+1)^2} Gram matrix is one
 * streaming pass over the rows with no further copy, and the features arrive standardised, which keeps its condition
 * number (the square of X's) modest; doubles then leave far more than the 1e-6 the coefficients are held to. Where it
 * is singular (a constant column, one-hot columns summing to the intercept), a vanishing ridge ({@code 1e-10} of the
 * diagonal's scale) is added: its limit is the minimum-norm solution, the one scikit-learn's lstsq returns.
 */
final class LeastSquares {
  private LeastSquares() {}

  /** The coefficients, {@code d} weights then the intercept. */
  static double[] solve(ExactRows rows, double l2) {
    int d = rows.rowSize();
    int p = d + 1;
    double[] gram = new double[p * p];
    double[] rhs = new double[p];
    double[] x = new double[p];
    double[] f = rows.features();
    for (int i = 0; i < rows.count(); i++) {
      for (int j = 0; j < d; j++) {
        x[j] = f[i * d + j];
      }
      x[d] = 1;
      double y = rows.targets()[i];
      for (int a = 0; a < p; a++) {
        rhs[a] += x[a] * y;
        for (int b = 0; b <= a; b++) {
          gram[a * p + b] += x[a] * x[b];
        }
      }
    }
    for (int j = 0; j < d; j++) {
      gram[j * p + j] += l2;
    }
    double scale = 0;
    for (int a = 0; a < p; a++) {
      scale = Math.max(scale, gram[a * p + a]);
    }
    double[] l = cholesky(gram, p, 0);
    if (l == null) {
      l = cholesky(gram, p, 1e-10 * Math.max(scale, 1));
    }
    if (l == null) {
      throw new IllegalStateException("the least-squares system is not positive definite");
    }
    return substitute(l, p, rhs);
  }

  /** Lower-triangular L with L L^T = A + jitter I, or null when a pivot is not clearly positive. */
  private static double[] cholesky(double[] a, int p, double jitter) {
    double[] l = new double[p * p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i * p + j] + (i == j ? jitter : 0);
        for (int k = 0; k < j; k++) {
          s -= l[i * p + k] * l[j * p + k];
        }
        if (i == j) {
          // A pivot lost to rounding (relative to its diagonal) means the matrix is numerically singular.
          if (s <= 1e-12 * Math.max(a[i * p + i] + jitter, 1e-300)) {
            return null;
          }
          l[i * p + i] = Math.sqrt(s);
        } else {
          l[i * p + j] = s / l[j * p + j];
        }
      }
    }
    return l;
  }

  /** Solves L L^T x = b. */
  private static double[] substitute(double[] l, int p, double[] b) {
    double[] z = new double[p];
    for (int i = 0; i < p; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) {
        s -= l[i * p + k] * z[k];
      }
      z[i] = s / l[i * p + i];
    }
    double[] x = new double[p];
    for (int i = p - 1; i >= 0; i--) {
      double s = z[i];
      for (int k = i + 1; k < p; k++) {
        s -= l[k * p + i] * x[k];
      }
      x[i] = s / l[i * p + i];
    }
    return x;
  }
}
