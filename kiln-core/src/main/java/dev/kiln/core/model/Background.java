package dev.kiln.core.model;

import java.util.Arrays;

/**
 * Rows a model declares as typical of its data for one input: each row the input's elements per example, in row-major
 * order. Explanations use them to stand in for absent features when a request sends none (a Kiln-trained model carries
 * a seeded sample of its training split). Descriptive, like {@link TensorSpec#columns()}.
 *
 * @param rows the rows, all of one length; none for {@link #NONE}
 */
public record Background(double[][] rows) {
  public static final Background NONE = new Background(new double[0][]);

  public Background {
    rows = rows.clone();
    for (int r = 0; r < rows.length; r++) {
      rows[r] = rows[r].clone();
      if (rows[r].length != rows[0].length) {
        throw new IllegalArgumentException(
            "background row " + r + " has " + rows[r].length + " values, row 0 has " + rows[0].length);
      }
    }
  }

  @Override
  public double[][] rows() {
    double[][] copy = rows.clone();
    for (int r = 0; r < copy.length; r++) {
      copy[r] = copy[r].clone();
    }
    return copy;
  }

  public boolean isEmpty() {
    return rows.length == 0;
  }

  /** Values per row; 0 when empty. */
  public int width() {
    return rows.length == 0 ? 0 : rows[0].length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Background b && Arrays.deepEquals(rows, b.rows);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(rows);
  }

  @Override
  public String toString() {
    return "Background[" + rows.length + " rows of " + width() + "]";
  }
}
