package dev.kiln.core.tensor;

import dev.kiln.core.error.KilnException;
import java.util.Arrays;

/** Arithmetic on tensor shapes that never overflows silently: a shape whose size overflows is a caller error. */
public final class Shape {
  private Shape() {}

  /**
   * Number of elements in a concrete shape.
   *
   * @throws KilnException INVALID_ARGUMENT for a negative dimension or a product beyond {@code long}
   */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw KilnException.invalid("shape " + Arrays.toString(shape) + " has a negative dimension");
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw KilnException.invalid("shape " + Arrays.toString(shape) + " is too large");
      }
    }
    return n;
  }

  /** Bytes a fixed-size tensor of this shape needs, checked against overflow before anything is allocated. */
  public static long byteSize(DataType type, long[] shape) {
    if (!type.isFixedSize()) {
      throw new IllegalArgumentException("BYTES tensors have no fixed byte size");
    }
    try {
      return Math.multiplyExact(elementCount(shape), (long) type.byteSize());
    } catch (ArithmeticException e) {
      throw KilnException.invalid("shape " + Arrays.toString(shape) + " is too large");
    }
  }

  /** Whether a concrete shape fits a declared one, where {@code -1} in the declared shape matches any size. */
  public static boolean matches(long[] declared, long[] actual) {
    if (declared.length != actual.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      if (declared[i] >= 0 && declared[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  public static String format(long[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape[i] < 0 ? "*" : Long.toString(shape[i]));
    }
    return sb.append(']').toString();
  }
}
