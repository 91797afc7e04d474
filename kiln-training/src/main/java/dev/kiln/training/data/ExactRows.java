package dev.kiln.training.data;

/**
 * Training rows in double precision, for the exact linear regression solver: the same preparation as {@link Examples}
 * (missing values filled, numeric columns scaled by the fitted offset and scale, one-hot blocks) computed on the raw
 * values as parsed into doubles, and the targets as parsed. Float features round each raw value to 24 bits, which on
 * scikit-learn's diabetes data moved the largest raw-unit coefficient (about 67.2) 5e-6 from scikit-learn's float64
 * fit; from these rows it matches to 1e-6 absolute (ScikitLearnComparisonTest). Only the training rows are kept, and
 * only when {@link PrepareOptions#exactRows()} asks: gradient descent and the neural engines read the float {@link
 * Examples}.
 *
 * @param features {@code count} rows of {@code features.length / count} values each, row-major
 */
public record ExactRows(double[] features, double[] targets, int count) {
  /** No rows: the data was not prepared in double precision. */
  public static final ExactRows NONE = new ExactRows(new double[0], new double[0], 0);

  public ExactRows {
    if (count < 0 || targets.length != count || (count > 0 && features.length % count != 0)) {
      throw new IllegalArgumentException("features/targets do not hold " + count + " rows");
    }
  }

  public int rowSize() {
    return count == 0 ? 0 : features.length / count;
  }

  /** {@code rows} widened to double: what the solver reads for data that was prepared in float only. */
  public static ExactRows widened(Examples rows) {
    double[] f = new double[rows.features().length];
    for (int i = 0; i < f.length; i++) {
      f[i] = rows.features()[i];
    }
    double[] t = new double[rows.count()];
    for (int i = 0; i < t.length; i++) {
      t[i] = rows.targets()[i];
    }
    return new ExactRows(f, t, rows.count());
  }
}
