package dev.kiln.training.engine;

import java.util.Arrays;

/** One trained parameter tensor, row-major. */
public record Param(long[] shape, float[] values) {
  public Param {
    long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    if (n != values.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " values, not " + values.length);
    }
  }
}
