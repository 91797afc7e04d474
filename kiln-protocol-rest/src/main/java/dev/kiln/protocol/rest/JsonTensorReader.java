package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import dev.kiln.core.tensor.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one tensor's {@code data} value token by token, straight into the direct little-endian buffer the engine reads:
 * no tree of JSON nodes is built, so a request costs its body plus its tensors.
 *
 * <p>The declared shape is trusted for an allocation only up to the size of the JSON text it came with. A tensor
 * declared larger than that (FP64 given as {@code 0,0,0}, or a lie) is counted first, on a second parser over the same
 * array, and allocated only when the count matches. So a tensor takes at most 8 bytes for each 2 bytes of JSON text (4
 * times the body), and a shape that claims more than was sent costs at most the body's size.
 *
 * <p>{@code null} stands for a missing value in floating-point data and becomes NaN. Nesting must be regular (no ragged
 * arrays); where {@code naturalShape} is asked for, data is either flat or nested exactly as the shape.
 */
final class JsonTensorReader {
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** Opens a fresh parser positioned before the same {@code data} value, for the counting pass. */
  @FunctionalInterface
  interface Reopen {
    JsonParser open() throws IOException;
  }

  private final String input;
  private final DataType type;
  private final long[] shape;
  private final long n;

  JsonTensorReader(String input, DataType type, long[] shape) {
    this.input = input;
    this.type = type;
    this.shape = shape.clone();
    this.n = Shape.elementCount(shape);
  }

  /**
   * Reads the value at {@code p}'s current token (the data's first token) and leaves {@code p} on its last.
   *
   * @param textBytes size of the JSON text the data came from: the most elements it could hold, and the most bytes
   *     allocated without counting first
   */
  Tensor read(JsonParser p, Reopen reopen, long textBytes, boolean naturalShape) throws IOException {
    if (n > textBytes) {
      throw invalid("shape " + Shape.format(shape) + " has more elements than the request could hold");
    }
    JsonToken first = p.currentToken();
    if (first == JsonToken.START_OBJECT || first == JsonToken.FIELD_NAME) {
      throw invalid("data must be an array");
    }
    if (type == DataType.BYTES) {
      List<byte[]> out = new ArrayList<>((int) Math.min(n, 1024));
      walk(p, naturalShape, token -> out.add(string(p, token)));
      return Tensor.ofBytes(shape, out.toArray(new byte[0][]));
    }
    long bytes = Shape.byteSize(type, shape);
    if (bytes > textBytes) {
      long sent = count(reopen);
      if (sent != n) {
        throw countMismatch(sent);
      }
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    walk(p, naturalShape, token -> put(buf, p, token));
    buf.flip();
    return Tensor.of(type, shape, buf);
  }

  private interface Sink {
    void accept(JsonToken token) throws IOException;
  }

  /**
   * Visits every element in order, checking as it goes that arrays at one depth have one length, that elements sit at
   * one depth, and that there are no more of them than the shape holds.
   */
  private void walk(JsonParser p, boolean naturalShape, Sink sink) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_ARRAY) {
      if (n != 1) {
        throw countMismatch(1);
      }
      element(sink, t, 1);
      return;
    }
    long[] lengths = new long[8]; // length of the arrays at each depth, -1 until the first one closes
    long[] open = new long[8]; // elements seen so far in the open array at each depth
    Arrays.fill(lengths, -1);
    int depth = 1;
    int leafDepth = -1;
    long count = 0;
    while (depth > 0) {
      t = p.nextToken();
      if (t == JsonToken.START_ARRAY) {
        open[depth]++;
        depth++;
        if (depth == open.length) {
          open = Arrays.copyOf(open, depth * 2);
          lengths = Arrays.copyOf(lengths, depth * 2);
          Arrays.fill(lengths, depth, lengths.length, -1);
        }
        open[depth] = 0;
        if (leafDepth >= 0 && depth > leafDepth) {
          throw ragged();
        }
      } else if (t == JsonToken.END_ARRAY) {
        if (lengths[depth] >= 0 && lengths[depth] != open[depth]) {
          throw ragged();
        }
        lengths[depth] = open[depth];
        depth--;
      } else {
        if (leafDepth < 0) {
          leafDepth = depth;
        } else if (leafDepth != depth) {
          throw ragged();
        }
        if (++count > n) {
          throw invalid("data has more elements than its shape (" + n + ")");
        }
        open[depth]++;
        element(sink, t, count);
      }
    }
    if (count != n) {
      throw countMismatch(count);
    }
    if (naturalShape && leafDepth > 1 && !Arrays.equals(Arrays.copyOfRange(lengths, 1, leafDepth + 1), shape)) {
      throw invalid(
          "nested data of shape "
              + Shape.format(Arrays.copyOfRange(lengths, 1, leafDepth + 1))
              + " does not match shape "
              + Shape.format(shape)
              + " (nest data as the shape, or send it flat)");
    }
  }

  private void element(Sink sink, JsonToken t, long at) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      throw invalid("element " + (at - 1) + " is an object; expected " + expected());
    }
    sink.accept(t);
  }

  /** Counts the elements of the data on a fresh parser, stopping as soon as there are more than the shape's. */
  private long count(Reopen reopen) throws IOException {
    try (JsonParser c = reopen.open()) {
      JsonToken t = c.nextToken();
      if (t != JsonToken.START_ARRAY) {
        return 1;
      }
      long count = 0;
      for (int depth = 1; depth > 0 && count <= n; ) {
        t = c.nextToken();
        if (t == JsonToken.START_ARRAY) {
          depth++;
        } else if (t == JsonToken.END_ARRAY) {
          depth--;
        } else if (t == JsonToken.START_OBJECT) {
          c.skipChildren();
          count++;
        } else {
          count++;
        }
      }
      return count;
    }
  }

  private void put(ByteBuffer b, JsonParser p, JsonToken t) throws IOException {
    switch (type) {
      case FP32 -> b.putFloat((float) number(p, t));
      case FP64 -> b.putDouble(number(p, t));
      case FP16 -> b.putShort(Float.floatToFloat16((float) number(p, t)));
      case BF16 -> b.putShort(toBf16((float) number(p, t)));
      case INT8 -> b.put((byte) integer(p, t, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case INT16 -> b.putShort((short) integer(p, t, Short.MIN_VALUE, Short.MAX_VALUE));
      case INT32 -> b.putInt((int) integer(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT64 -> b.putLong(integer(p, t, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT8 -> b.put((byte) integer(p, t, 0, 0xff));
      case UINT16 -> b.putShort((short) integer(p, t, 0, 0xffff));
      case UINT32 -> b.putInt((int) integer(p, t, 0, 0xffffffffL));
      case UINT64 -> b.putLong(unsigned64(p, t));
      case BOOL -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw invalid("BOOL elements must be true or false, found " + kind(t));
        }
        b.put((byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
      }
      case BYTES -> throw new IllegalStateException("BYTES are not fixed-size");
    }
  }

  /** A number, or NaN for {@code null} (a missing value, for models that impute). */
  private double number(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return Double.NaN;
    }
    if (!t.isNumeric()) {
      throw invalid("expected numbers, found " + kind(t));
    }
    return p.getDoubleValue();
  }

  private long integer(JsonParser p, JsonToken t, long min, long max) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw invalid("expected integers, found " + kind(t));
    }
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw invalid("value " + abbreviate(p.getText()) + " out of range [" + min + ", " + max + "]");
    }
    long v = p.getLongValue();
    if (v < min || v > max) {
      throw invalid("value " + v + " out of range [" + min + ", " + max + "]");
    }
    return v;
  }

  private long unsigned64(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw invalid("expected integers, found " + kind(t));
    }
    BigInteger v = p.getBigIntegerValue();
    if (v.signum() < 0 || v.compareTo(UINT64_MAX) > 0) {
      throw invalid("value " + abbreviate(v.toString()) + " out of range for UINT64");
    }
    return v.longValue();
  }

  private byte[] string(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw invalid("BYTES elements must be strings, found " + kind(t));
    }
    return p.getText().getBytes(StandardCharsets.UTF_8);
  }

  private String expected() {
    return switch (type) {
      case BYTES -> "strings";
      case BOOL -> "true or false";
      case FP16, BF16, FP32, FP64 -> "numbers";
      default -> "integers";
    };
  }

  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16); // round to nearest even
  }

  private static String kind(JsonToken t) {
    return switch (t) {
      case VALUE_STRING -> "a string";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case VALUE_NUMBER_FLOAT -> "a non-integer number";
      case VALUE_NUMBER_INT -> "an integer";
      default -> "another value";
    };
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private KilnException countMismatch(long count) {
    return invalid("data has " + count + " elements, shape " + Shape.format(shape) + " needs " + n);
  }

  private KilnException ragged() {
    return invalid("data is ragged: nested arrays must all have the same length at each depth");
  }

  private KilnException invalid(String message) {
    return KilnException.invalid("input '" + input + "': " + message);
  }
}
