package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;

/**
 * Tensor data as JSON values: nested (natural shape) or flat arrays of numbers, booleans or strings, row-major.
 * Decoding writes straight into a direct little-endian buffer (what the engine reads) and never trusts the
 * declared shape for an allocation: a shape that claims more elements than the body could hold is refused first.
 */
final class JsonTensors {
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private JsonTensors() {}

  /**
   * Decodes {@code data} for an input of the given datatype and shape.
   *
   * @param bodyBytes size of the JSON it came from; every element takes at least one byte of it
   */
  static Tensor decode(String input, DataType type, long[] shape, JsonNode data, long bodyBytes) {
    long n = Shape.elementCount(shape);
    if (n > bodyBytes) {
      throw KilnException.invalid("input '" + input + "': shape " + Shape.format(shape)
          + " has more elements than the request could hold");
    }
    if (!data.isArray() && !isScalar(data)) {
      throw KilnException.invalid("input '" + input + "': data must be an array");
    }
    if (type == DataType.BYTES) {
      List<byte[]> out = new ArrayList<>((int) n);
      long[] count = new long[1];
      walk(data, input, n, node -> {
        if (!node.isTextual()) {
          throw KilnException.invalid("input '" + input + "': BYTES elements must be strings");
        }
        out.add(node.textValue().getBytes(StandardCharsets.UTF_8));
      }, count);
      checkCount(input, shape, n, count);
      return Tensor.ofBytes(shape, out.toArray(new byte[0][]));
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(Shape.byteSize(type, shape)))
        .order(ByteOrder.LITTLE_ENDIAN);
    long[] count = new long[1];
    walk(data, input, n, node -> put(buf, type, node, input), count);
    checkCount(input, shape, n, count);
    buf.flip();
    return Tensor.of(type, shape, buf);
  }

  /** Writes a tensor's elements as one flat JSON array. */
  static void encode(JsonGenerator g, Tensor t) throws IOException {
    g.writeStartArray();
    int n = Math.toIntExact(t.elementCount());
    ByteBuffer b = t.type() == DataType.BYTES ? null : t.data();
    for (int i = 0; i < n; i++) {
      element(g, t, b, i);
    }
    g.writeEndArray();
  }

  /** Writes rows {@code [0, rows)} of a tensor, each nested in the natural shape of one row. */
  static void encodeRows(JsonGenerator g, Tensor t, int row) throws IOException {
    long[] shape = t.shape();
    long perRow = shape.length == 0 || shape[0] == 0 ? 0 : t.elementCount() / shape[0];
    ByteBuffer b = t.type() == DataType.BYTES ? null : t.data();
    nested(g, t, b, shape, 1, Math.toIntExact(row * perRow));
  }

  private static int nested(JsonGenerator g, Tensor t, ByteBuffer b, long[] shape, int dim, int at)
      throws IOException {
    if (dim >= shape.length) {
      element(g, t, b, at);
      return at + 1;
    }
    g.writeStartArray();
    for (long i = 0; i < shape[dim]; i++) {
      at = nested(g, t, b, shape, dim + 1, at);
    }
    g.writeEndArray();
    return at;
  }

  private static void element(JsonGenerator g, Tensor t, ByteBuffer b, int i) throws IOException {
    switch (t.type()) {
      case BYTES -> g.writeString(new String(t.elements().get(i), StandardCharsets.UTF_8));
      case FP32 -> g.writeNumber(b.getFloat(i * 4));
      case FP64 -> g.writeNumber(b.getDouble(i * 8));
      case FP16 -> g.writeNumber(Float.float16ToFloat(b.getShort(i * 2)));
      case BF16 -> g.writeNumber(Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16));
      case INT8 -> g.writeNumber(b.get(i));
      case INT16 -> g.writeNumber(b.getShort(i * 2));
      case INT32 -> g.writeNumber(b.getInt(i * 4));
      case INT64 -> g.writeNumber(b.getLong(i * 8));
      case UINT8 -> g.writeNumber(b.get(i) & 0xff);
      case UINT16 -> g.writeNumber(b.getShort(i * 2) & 0xffff);
      case UINT32 -> g.writeNumber(b.getInt(i * 4) & 0xffffffffL);
      case UINT64 -> g.writeNumber(new BigInteger(Long.toUnsignedString(b.getLong(i * 8))));
      case BOOL -> g.writeBoolean(b.get(i) != 0);
    }
  }

  private interface Sink {
    void accept(JsonNode n);
  }

  private static void walk(JsonNode node, String input, long expected, Sink sink, long[] count) {
    if (node.isArray()) {
      for (JsonNode c : node) {
        walk(c, input, expected, sink, count);
      }
      return;
    }
    if (++count[0] > expected) {
      throw KilnException.invalid("input '" + input + "': data has more elements than its shape (" + expected
          + ")");
    }
    sink.accept(node);
  }

  private static void checkCount(String input, long[] shape, long expected, long[] count) {
    if (count[0] != expected) {
      throw KilnException.invalid("input '" + input + "': data has " + count[0] + " elements, shape "
          + Shape.format(shape) + " needs " + expected);
    }
  }

  private static boolean isScalar(JsonNode n) {
    return n.isNumber() || n.isBoolean() || n.isTextual();
  }

  private static void put(ByteBuffer b, DataType type, JsonNode n, String input) {
    switch (type) {
      case FP32 -> b.putFloat((float) number(n, input));
      case FP64 -> b.putDouble(number(n, input));
      case FP16 -> b.putShort(Float.floatToFloat16((float) number(n, input)));
      case BF16 -> b.putShort(toBf16((float) number(n, input)));
      case INT8 -> b.put((byte) integer(n, input, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case INT16 -> b.putShort((short) integer(n, input, Short.MIN_VALUE, Short.MAX_VALUE));
      case INT32 -> b.putInt((int) integer(n, input, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT64 -> b.putLong(integer(n, input, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT8 -> b.put((byte) integer(n, input, 0, 0xff));
      case UINT16 -> b.putShort((short) integer(n, input, 0, 0xffff));
      case UINT32 -> b.putInt((int) integer(n, input, 0, 0xffffffffL));
      case UINT64 -> b.putLong(unsigned64(n, input));
      case BOOL -> {
        if (!n.isBoolean()) {
          throw KilnException.invalid("input '" + input + "': BOOL elements must be true or false");
        }
        b.put((byte) (n.booleanValue() ? 1 : 0));
      }
      case BYTES -> throw new IllegalStateException();
    }
  }

  private static double number(JsonNode n, String input) {
    if (!n.isNumber()) {
      throw KilnException.invalid("input '" + input + "': expected numbers, found " + kind(n));
    }
    return n.doubleValue();
  }

  private static long integer(JsonNode n, String input, long min, long max) {
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw KilnException.invalid("input '" + input + "': expected integers, found " + kind(n));
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw KilnException.invalid("input '" + input + "': value " + v + " out of range [" + min + ", " + max + "]");
    }
    return v;
  }

  private static long unsigned64(JsonNode n, String input) {
    if (!n.isIntegralNumber()) {
      throw KilnException.invalid("input '" + input + "': expected integers, found " + kind(n));
    }
    BigInteger v = n.bigIntegerValue();
    if (v.signum() < 0 || v.compareTo(UINT64_MAX) > 0) {
      throw KilnException.invalid("input '" + input + "': value " + v + " out of range for UINT64");
    }
    return v.longValue();
  }

  private static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16); // round to nearest even
  }

  private static String kind(JsonNode n) {
    return n.isTextual() ? "a string" : n.isBoolean() ? "a boolean" : n.isNull() ? "null"
        : n.isObject() ? "an object" : n.isNumber() ? "a non-integer number" : "another value";
  }
}
