package dev.kiln.training.data;

import java.util.Arrays;

/**
 * Rows ready for an engine: {@code count} rows of {@code features.length / count} floats each (row-major, in the
 * model's input shape; token ids are whole numbers stored as floats), and one target per row: the class index for
 * classification, the value for regression.
 */
public record Examples(float[] features, float[] targets, int count) {
  public Examples {
    if (count < 0 || targets.length != count || (count > 0 && features.length % count != 0)) {
      throw new IllegalArgumentException("features/targets do not hold " + count + " rows");
    }
  }

  public int rowSize() {
    return count == 0 ? 0 : features.length / count;
  }

  /** Rows {@code [from, to)}. */
  public Examples slice(int from, int to) {
    int w = rowSize();
    float[] f = Arrays.copyOfRange(features, from * w, to * w);
    float[] t = Arrays.copyOfRange(targets, from, to);
    return new Examples(f, t, to - from);
  }
}
