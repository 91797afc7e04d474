package dev.kiln.core.tensor;

import dev.kiln.core.error.KilnException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The wire layout of BYTES tensors in OIP binary data (REST's binary tensor extension) and gRPC raw contents: elements
 * in row-major order, each a 4-byte little-endian length followed by that many bytes. Both protocols read and write it
 * here, so they cannot drift apart.
 *
 * <p>A claimed count or length is never trusted: the element count is checked against the bytes really there (each
 * element needs at least its prefix) before anything is allocated, and each length against what remains. Failures are
 * INVALID_ARGUMENT, naming the element and {@code where} the data came from.
 */
public final class BytesLayout {
  /** Bytes of the length prefix in front of every element. */
  public static final int PREFIX_BYTES = 4;

  private BytesLayout() {}

  /**
   * Reads exactly the elements of {@code shape} from {@code data}'s remaining bytes, which they must fill. {@code data}
   * itself is not moved.
   *
   * @param where what the data is, for messages: {@code raw_input_contents}, {@code binary data}
   */
  public static Tensor decode(long[] shape, ByteBuffer data, String where) {
    long n = Shape.elementCount(shape);
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    // Each element takes at least its prefix: checking this first keeps a huge shape from allocating.
    if (n > in.remaining() / PREFIX_BYTES) {
      throw KilnException.invalid(
          where
              + " has "
              + in.remaining()
              + " bytes, too few for the "
              + n
              + " BYTES elements of shape "
              + Arrays.toString(shape)
              + " (each needs a 4-byte length prefix)");
    }
    byte[][] elements = new byte[(int) n][];
    for (int i = 0; i < n; i++) {
      elements[i] = new byte[next(in, i, where)];
      in.get(elements[i]);
    }
    if (in.hasRemaining()) {
      throw KilnException.invalid(
          where
              + " has "
              + in.remaining()
              + " bytes left after the "
              + n
              + " BYTES elements of shape "
              + Arrays.toString(shape));
    }
    return Tensor.ofBytes(shape, elements);
  }

  /** How many whole elements {@code data}'s remaining bytes hold; they must hold nothing else. */
  public static long count(ByteBuffer data, String where) {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long n = 0;
    while (in.hasRemaining()) {
      int length = next(in, n, where);
      in.position(in.position() + length);
      n++;
    }
    return n;
  }

  /**
   * The tensor's elements in this layout, in a little-endian heap buffer ready to read.
   *
   * @throws KilnException RESOURCE_EXHAUSTED when the encoding does not fit one buffer
   */
  public static ByteBuffer encode(Tensor t) {
    if (t.type() != DataType.BYTES) {
      throw new IllegalArgumentException("not a BYTES tensor: " + t.type());
    }
    long size = t.binarySize();
    if (size > Integer.MAX_VALUE - 8) {
      throw KilnException.exhausted("a BYTES tensor of " + size + " bytes is too large for one message");
    }
    List<byte[]> elements = t.elements();
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) {
      out.putInt(e.length).put(e);
    }
    return out.flip();
  }

  /** Reads element {@code i}'s prefix and checks that its bytes are there; the buffer is left at its bytes. */
  private static int next(ByteBuffer in, long i, String where) {
    if (in.remaining() < PREFIX_BYTES) {
      throw KilnException.invalid("BYTES element " + i + ": length prefix runs past the end of " + where);
    }
    long length = Integer.toUnsignedLong(in.getInt());
    if (length > in.remaining()) {
      throw KilnException.invalid(
          "BYTES element "
              + i
              + ": length prefix says "
              + length
              + " bytes but only "
              + in.remaining()
              + " remain (it runs past the end of "
              + where
              + ")");
    }
    return (int) length;
  }
}
