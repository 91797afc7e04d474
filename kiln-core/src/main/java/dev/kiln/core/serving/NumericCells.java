package dev.kiln.core.serving;

import dev.kiln.core.tensor.DataType;
import java.nio.ByteBuffer;

/**
 * Reads and writes one element of a little-endian fixed-size tensor buffer as a {@code double}, for the numeric
 * datatypes a column may arrive in. A client's dataframe column is often INT64 or FP64 where the model takes FP32; the
 * value is converted as NumPy's {@code astype} would (rounding to the target's precision).
 */
final class NumericCells {
  private static final double TWO_TO_THE_64 = 0x1p64;

  private NumericCells() {}

  /** Whether a column of this datatype can fill a numeric input: every fixed-size type but BOOL. */
  static boolean isNumeric(DataType t) {
    return t.isFixedSize() && t != DataType.BOOL;
  }

  static double read(ByteBuffer b, DataType t, int index) {
    int at = index * t.byteSize();
    return switch (t) {
      case INT8 -> b.get(at);
      case UINT8 -> Byte.toUnsignedInt(b.get(at));
      case INT16 -> b.getShort(at);
      case UINT16 -> Short.toUnsignedInt(b.getShort(at));
      case INT32 -> b.getInt(at);
      case UINT32 -> Integer.toUnsignedLong(b.getInt(at));
      case INT64 -> b.getLong(at);
      case UINT64 -> {
        long v = b.getLong(at);
        yield v >= 0 ? v : v + TWO_TO_THE_64;
      }
      case FP16 -> Float.float16ToFloat(b.getShort(at));
      case BF16 -> Float.intBitsToFloat(b.getShort(at) << 16);
      case FP32 -> b.getFloat(at);
      case FP64 -> b.getDouble(at);
      case BOOL, BYTES -> throw new IllegalArgumentException("not numeric: " + t);
    };
  }

  static void write(ByteBuffer b, DataType t, int index, double v) {
    int at = index * t.byteSize();
    switch (t) {
      case INT8, UINT8 -> b.put(at, (byte) (long) v);
      case INT16, UINT16 -> b.putShort(at, (short) (long) v);
      case INT32, UINT32 -> b.putInt(at, (int) (long) v);
      case INT64 -> b.putLong(at, (long) v);
      case UINT64 -> b.putLong(at, v >= 0x1p63 ? (long) (v - TWO_TO_THE_64) : (long) v);
      case FP16 -> b.putShort(at, Float.floatToFloat16((float) v));
      case BF16 -> b.putShort(at, (short) (Float.floatToIntBits((float) v) >>> 16));
      case FP32 -> b.putFloat(at, (float) v);
      case FP64 -> b.putDouble(at, v);
      case BOOL, BYTES -> throw new IllegalArgumentException("not numeric: " + t);
    }
  }
}
