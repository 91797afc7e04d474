package dev.kiln.core.explain;

/** Solves a small dense linear system by Gaussian elimination with partial pivoting and a tiny ridge for safety. */
final class Gauss {
  private static final double RIDGE = 1e-12;

  private Gauss() {}

  /**
   * @param a the augmented matrix [A | b], p rows of p + 1 (changed in place)
   */
  static double[] solve(double[][] a) {
    int p = a.length;
    for (int i = 0; i < p; i++) {
      a[i][i] += RIDGE; // sampled coalitions may miss a feature entirely; keep the system solvable
    }
    for (int col = 0; col < p; col++) {
      int pivot = col;
      for (int r = col + 1; r < p; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
          pivot = r;
        }
      }
      double[] tmp = a[col];
      a[col] = a[pivot];
      a[pivot] = tmp;
      double d = a[col][col];
      if (d == 0) {
        continue;
      }
      for (int r = 0; r < p; r++) {
        if (r != col) {
          double f = a[r][col] / d;
          if (f != 0) {
            for (int k = col; k <= p; k++) {
              a[r][k] -= f * a[col][k];
            }
          }
        }
      }
    }
    double[] x = new double[p];
    for (int i = 0; i < p; i++) {
      x[i] = a[i][i] == 0 ? 0 : a[i][p] / a[i][i];
    }
    return x;
  }
}
