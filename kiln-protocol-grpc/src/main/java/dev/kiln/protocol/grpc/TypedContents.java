package dev.kiln.protocol.grpc;

import com.google.protobuf.UnsafeByteOperations;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@code InferTensorContents}, the typed form of tensor data, to and from {@link Tensor}. Each datatype has one field
 * (INT8/16/32 share {@code int_contents}, UINT8/16/32 share {@code uint_contents}); values that do not fit the narrower
 * type are rejected rather than truncated. FP16 and BF16 have no field and travel only raw.
 */
final class TypedContents {
  private TypedContents() {}

  /** Whether a tensor of this type can only be sent raw. */
  static boolean rawOnly(Tensor t) {
    return t.type() == DataType.FP16 || t.type() == DataType.BF16;
  }

  /** Whether any field holds a value. */
  static boolean isSet(InferTensorContents c) {
    return c.getBoolContentsCount()
            + c.getIntContentsCount()
            + c.getInt64ContentsCount()
            + c.getUintContentsCount()
            + c.getUint64ContentsCount()
            + c.getFp32ContentsCount()
            + c.getFp64ContentsCount()
            + c.getBytesContentsCount()
        > 0;
  }

  /**
   * @throws KilnException INVALID_ARGUMENT for the wrong field, a count that does not fit the shape, or a value out of
   *     the datatype's range
   */
  static Tensor decode(DataType type, long[] shape, InferTensorContents c) {
    long n = Shape.elementCount(shape);
    if (type == DataType.FP16 || type == DataType.BF16) {
      throw KilnException.invalid(type + " has no typed contents; send it in raw_input_contents");
    }
    String field = field(type);
    checkOnlyField(c, field, type);
    int count = count(type, c);
    if (count != n) {
      throw KilnException.invalid(
          field + " has " + count + " values (expected: " + n + " for shape " + Arrays.toString(shape) + ")");
    }
    if (type == DataType.BYTES) {
      byte[][] elements = new byte[count][];
      for (int i = 0; i < count; i++) {
        elements[i] = c.getBytesContents(i).toByteArray();
      }
      return Tensor.ofBytes(shape, elements);
    }
    long bytes = Shape.byteSize(type, shape);
    if (bytes > Integer.MAX_VALUE - 8) {
      throw KilnException.exhausted("tensor of shape " + Arrays.toString(shape) + " is too large for one buffer");
    }
    ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      switch (type) {
        case BOOL -> b.put((byte) (c.getBoolContents(i) ? 1 : 0));
        case INT8 -> b.put((byte) inRange(c.getIntContents(i), Byte.MIN_VALUE, Byte.MAX_VALUE, type, i));
        case INT16 -> b.putShort((short) inRange(c.getIntContents(i), Short.MIN_VALUE, Short.MAX_VALUE, type, i));
        case INT32 -> b.putInt(c.getIntContents(i));
        case INT64 -> b.putLong(c.getInt64Contents(i));
        case UINT8 -> b.put((byte) inRange(Integer.toUnsignedLong(c.getUintContents(i)), 0, 0xFF, type, i));
        case UINT16 -> b.putShort((short) inRange(Integer.toUnsignedLong(c.getUintContents(i)), 0, 0xFFFF, type, i));
        case UINT32 -> b.putInt(c.getUintContents(i));
        case UINT64 -> b.putLong(c.getUint64Contents(i));
        case FP32 -> b.putFloat(c.getFp32Contents(i));
        case FP64 -> b.putDouble(c.getFp64Contents(i));
        default -> throw new IllegalStateException("no typed contents for " + type);
      }
    }
    return Tensor.of(type, shape, b.flip());
  }

  /** The typed contents of a tensor that is not FP16 or BF16. */
  static InferTensorContents encode(Tensor t) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    if (t.type() == DataType.BYTES) {
      // Tensor elements are never modified after construction, so they can be wrapped without a copy.
      t.elements().forEach(e -> c.addBytesContents(UnsafeByteOperations.unsafeWrap(e)));
      return c.build();
    }
    ByteBuffer d = t.data();
    int n = d.remaining() / t.type().byteSize();
    for (int i = 0; i < n; i++) {
      switch (t.type()) {
        case BOOL -> c.addBoolContents(d.get(i) != 0);
        case INT8 -> c.addIntContents(d.get(i));
        case INT16 -> c.addIntContents(d.getShort(i * 2));
        case INT32 -> c.addIntContents(d.getInt(i * 4));
        case INT64 -> c.addInt64Contents(d.getLong(i * 8));
        case UINT8 -> c.addUintContents(Byte.toUnsignedInt(d.get(i)));
        case UINT16 -> c.addUintContents(Short.toUnsignedInt(d.getShort(i * 2)));
        case UINT32 -> c.addUintContents(d.getInt(i * 4));
        case UINT64 -> c.addUint64Contents(d.getLong(i * 8));
        case FP32 -> c.addFp32Contents(d.getFloat(i * 4));
        case FP64 -> c.addFp64Contents(d.getDouble(i * 8));
        default -> throw new IllegalStateException(t.type() + " has no typed contents");
      }
    }
    return c.build();
  }

  private static String field(DataType type) {
    return switch (type) {
      case BOOL -> "bool_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16, BF16 -> throw new IllegalArgumentException(type + " has no typed contents");
    };
  }

  private static int count(DataType type, InferTensorContents c) {
    return switch (type) {
      case BOOL -> c.getBoolContentsCount();
      case INT8, INT16, INT32 -> c.getIntContentsCount();
      case INT64 -> c.getInt64ContentsCount();
      case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
      case UINT64 -> c.getUint64ContentsCount();
      case FP32 -> c.getFp32ContentsCount();
      case FP64 -> c.getFp64ContentsCount();
      case BYTES -> c.getBytesContentsCount();
      case FP16, BF16 -> 0;
    };
  }

  /** Data in a field other than the datatype's own is a client bug worth naming, not something to ignore. */
  private static void checkOnlyField(InferTensorContents c, String expected, DataType type) {
    String[] names = {
      "bool_contents",
      "int_contents",
      "int64_contents",
      "uint_contents",
      "uint64_contents",
      "fp32_contents",
      "fp64_contents",
      "bytes_contents"
    };
    int[] counts = {
      c.getBoolContentsCount(),
      c.getIntContentsCount(),
      c.getInt64ContentsCount(),
      c.getUintContentsCount(),
      c.getUint64ContentsCount(),
      c.getFp32ContentsCount(),
      c.getFp64ContentsCount(),
      c.getBytesContentsCount()
    };
    for (int i = 0; i < names.length; i++) {
      if (counts[i] > 0 && !names[i].equals(expected)) {
        throw KilnException.invalid("datatype " + type + " takes " + expected + ", got " + names[i]);
      }
    }
  }

  private static long inRange(long v, long min, long max, DataType type, int index) {
    if (v < min || v > max) {
      throw KilnException.invalid("value " + v + " at index " + index + " does not fit " + type);
    }
    return v;
  }
}
