package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Tensor data as JSON values: nested (natural shape) or flat arrays of numbers, booleans or strings, row-major.
 * Decoding is {@link JsonTensorReader}'s, which never trusts the declared shape for an allocation.
 */
final class JsonTensors {
  private JsonTensors() {}

  /**
   * Decodes {@code data} for an input of the given datatype and shape. Nesting need not follow the shape (rows are
   * reshaped as with {@code np.reshape}) but must be regular; {@code null} is NaN in floating-point data.
   *
   * @param bodyBytes size of the JSON it came from; every element takes at least one byte of it
   */
  static Tensor decode(String input, DataType type, long[] shape, JsonNode data, long bodyBytes) {
    try (JsonParser p = data.traverse()) {
      p.nextToken();
      return new JsonTensorReader(input, type, shape).read(p, data::traverse, bodyBytes, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  private static int nested(JsonGenerator g, Tensor t, ByteBuffer b, long[] shape, int dim, int at) throws IOException {
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
}
