package dev.kiln.core.tensor;

import dev.kiln.core.error.KilnException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable tensor: datatype, shape, and data. Fixed-size types keep their elements as little-endian, row-major
 * bytes in a {@link ByteBuffer} (the wire layout of the binary tensor extension and of gRPC raw contents, so codecs
 * copy at most once); BYTES tensors keep one {@code byte[]} per element.
 *
 * <p>Instances are safe to share between threads: accessors hand out read-only duplicates.
 */
public final class Tensor {
  private final DataType type;
  private final long[] shape;
  private final ByteBuffer data;
  private final byte[][] elements;

  private Tensor(DataType type, long[] shape, ByteBuffer data, byte[][] elements) {
    this.type = type;
    this.shape = shape;
    this.data = data;
    this.elements = elements;
  }

  /**
   * A fixed-size tensor over {@code data}'s remaining bytes (taken as little-endian; not copied, so the caller must not
   * change them afterwards).
   *
   * @throws KilnException INVALID_ARGUMENT when the byte count does not match shape × element size
   */
  public static Tensor of(DataType type, long[] shape, ByteBuffer data) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (!type.isFixedSize()) {
      throw new IllegalArgumentException("use ofBytes for BYTES tensors");
    }
    long[] s = shape.clone();
    long expected = Shape.byteSize(type, s);
    if (data.remaining() != expected) {
      throw KilnException.invalid(
          "tensor of shape "
              + Arrays.toString(s)
              + " and datatype "
              + type
              + " needs "
              + expected
              + " bytes, got "
              + data.remaining());
    }
    return new Tensor(
        type, s, data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN), null);
  }

  /** A BYTES tensor, one array per element (not copied). */
  public static Tensor ofBytes(long[] shape, byte[]... elements) {
    long[] s = shape.clone();
    long n = Shape.elementCount(s);
    if (n != elements.length) {
      throw KilnException.invalid(
          "tensor of shape " + Arrays.toString(s) + " needs " + n + " elements, got " + elements.length);
    }
    for (byte[] e : elements) {
      Objects.requireNonNull(e, "element");
    }
    return new Tensor(DataType.BYTES, s, null, elements);
  }

  public static Tensor ofStrings(long[] shape, String... values) {
    byte[][] e = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      e[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    return ofBytes(shape, e);
  }

  public static Tensor ofFloats(long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return of(DataType.FP32, shape, b);
  }

  public static Tensor ofLongs(long[] shape, long... values) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return of(DataType.INT64, shape, b);
  }

  public static Tensor ofInts(long[] shape, int... values) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return of(DataType.INT32, shape, b);
  }

  /** A tensor of the given type and shape whose elements are all zero (empty strings for BYTES). */
  public static Tensor zeros(DataType type, long[] shape) {
    if (type == DataType.BYTES) {
      byte[][] e = new byte[Math.toIntExact(Shape.elementCount(shape))][];
      Arrays.fill(e, new byte[0]);
      return ofBytes(shape, e);
    }
    return of(type, shape, ByteBuffer.allocate(Math.toIntExact(Shape.byteSize(type, shape))));
  }

  public DataType type() {
    return type;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension 0, the batch dimension when the model batches. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  public long elementCount() {
    return Shape.elementCount(shape);
  }

  /** A read-only little-endian view of the data; fixed-size types only. */
  public ByteBuffer data() {
    requireFixed();
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The elements of a BYTES tensor, as stored (do not modify). */
  public List<byte[]> elements() {
    if (type != DataType.BYTES) {
      throw new IllegalStateException("not a BYTES tensor: " + type);
    }
    return Arrays.asList(elements);
  }

  /**
   * Bytes this tensor takes in the binary tensor extension: element count × size, or for BYTES the sum of each
   * element's 4-byte length prefix and its bytes.
   */
  public long binarySize() {
    if (type != DataType.BYTES) {
      return data.remaining();
    }
    long n = 0;
    for (byte[] e : elements) {
      n += 4L + e.length;
    }
    return n;
  }

  /** A copy of an FP32 tensor's values. */
  public float[] floats() {
    if (type != DataType.FP32) {
      throw new IllegalStateException("not an FP32 tensor: " + type);
    }
    FloatBuffer fb = data().asFloatBuffer();
    float[] out = new float[fb.remaining()];
    fb.get(out);
    return out;
  }

  /** Rows {@code [from, from + count)} along dimension 0. Fixed-size tensors share the underlying bytes; no copy. */
  public Tensor rowSlice(long from, long count) {
    if (shape.length == 0 || from < 0 || count < 0 || from + count > shape[0]) {
      throw new IllegalArgumentException("rows " + from + "+" + count + " outside " + Arrays.toString(shape));
    }
    long[] s = shape.clone();
    s[0] = count;
    long perRow = shape[0] == 0 ? 0 : Shape.elementCount(shape) / shape[0];
    if (type == DataType.BYTES) {
      return new Tensor(
          type,
          s,
          null,
          Arrays.copyOfRange(elements, Math.toIntExact(from * perRow), Math.toIntExact((from + count) * perRow)));
    }
    int rowBytes = Math.toIntExact(perRow * type.byteSize());
    ByteBuffer d = data.duplicate();
    d.position(Math.toIntExact(from * rowBytes)).limit(Math.toIntExact((from + count) * rowBytes));
    return new Tensor(type, s, d.slice().order(ByteOrder.LITTLE_ENDIAN), null);
  }

  /**
   * Concatenates tensors of one datatype along dimension 0; their other dimensions must agree. Used by the dynamic
   * batcher to join requests into one execution.
   */
  public static Tensor concatRows(List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to concatenate");
    }
    Tensor first = parts.get(0);
    if (parts.size() == 1) {
      return first;
    }
    long rows = 0;
    for (Tensor t : parts) {
      if (t.type != first.type || !sameTrailingDims(first.shape, t.shape)) {
        throw new IllegalArgumentException(
            "tensors do not stack: "
                + Arrays.toString(first.shape)
                + " "
                + first.type
                + " vs "
                + Arrays.toString(t.shape)
                + " "
                + t.type);
      }
      rows += t.shape[0];
    }
    long[] s = first.shape.clone();
    s[0] = rows;
    if (first.type == DataType.BYTES) {
      byte[][] all = new byte[Math.toIntExact(Shape.elementCount(s))][];
      int at = 0;
      for (Tensor t : parts) {
        System.arraycopy(t.elements, 0, all, at, t.elements.length);
        at += t.elements.length;
      }
      return new Tensor(DataType.BYTES, s, null, all);
    }
    ByteBuffer out =
        ByteBuffer.allocateDirect(Math.toIntExact(Shape.byteSize(first.type, s))).order(ByteOrder.LITTLE_ENDIAN);
    for (Tensor t : parts) {
      out.put(t.data.duplicate());
    }
    out.flip();
    return new Tensor(first.type, s, out, null);
  }

  private static boolean sameTrailingDims(long[] a, long[] b) {
    if (a.length != b.length || a.length == 0) {
      return false;
    }
    for (int i = 1; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  private void requireFixed() {
    if (type == DataType.BYTES) {
      throw new IllegalStateException("BYTES tensor has no fixed-size data");
    }
  }

  @Override
  public String toString() {
    return "Tensor[" + type + " " + Arrays.toString(shape) + "]";
  }
}
