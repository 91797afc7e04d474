package dev.kiln.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import org.junit.jupiter.api.Test;

class ShapeTest {
  /** Triton's {@code test_buffer_size_overflow} shape: 16 × (2^60 + 2) elements overflow a signed 64-bit count. */
  private static final long[] TRITON_OVERFLOW = {16, (1L << 60) + 2};

  @Test
  void elementCountAndByteSizeMultiplyEveryDimension() {
    assertThat(Shape.elementCount(new long[] {2, 3, 4})).isEqualTo(24);
    assertThat(Shape.elementCount(new long[] {})).as("a scalar has one element").isEqualTo(1);
    assertThat(Shape.elementCount(new long[] {5, 0, 7})).isZero();
    assertThat(Shape.byteSize(DataType.FP32, new long[] {2, 3, 4})).isEqualTo(96);
    assertThat(Shape.byteSize(DataType.INT64, new long[] {3})).isEqualTo(24);
  }

  @Test
  void negativeDimensionIsInvalidArgument() {
    assertInvalid(() -> Shape.elementCount(new long[] {2, -1}), "negative");
    assertInvalid(() -> Shape.byteSize(DataType.FP32, new long[] {-4}), "negative");
  }

  @Test
  void elementCountOverflowIsInvalidArgumentNotAWrappedNumber() {
    assertInvalid(() -> Shape.elementCount(TRITON_OVERFLOW), "too large");
    assertInvalid(() -> Shape.byteSize(DataType.FP32, TRITON_OVERFLOW), "too large");
  }

  @Test
  void byteSizeOverflowFromTheElementSizeIsInvalidArgument() {
    long[] shape = {1L << 61}; // the element count fits in a long, the byte count (× 4) does not
    assertThat(Shape.elementCount(shape)).isEqualTo(1L << 61);
    assertInvalid(() -> Shape.byteSize(DataType.FP32, shape), "too large");
  }

  @Test
  void matchesTreatsMinusOneAsAnySize() {
    assertThat(Shape.matches(new long[] {-1, 4}, new long[] {7, 4})).isTrue();
    assertThat(Shape.matches(new long[] {-1, 4}, new long[] {7, 3})).isFalse();
    assertThat(Shape.matches(new long[] {-1, 4}, new long[] {4})).as("rank differs").isFalse();
  }

  @Test
  void formatWritesVariableDimensionsAsStars() {
    assertThat(Shape.format(new long[] {-1, 784})).isEqualTo("[*, 784]");
    assertThat(Shape.format(new long[] {})).isEqualTo("[]");
  }

  private static void assertInvalid(Runnable r, String fragment) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining(fragment);
  }
}
