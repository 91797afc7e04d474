package dev.kiln.protocol.rest;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.BytesLayout;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import dev.kiln.core.tensor.Tensor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tensors in Triton's binary tensor data layout: little-endian row-major elements; BOOL one byte; BYTES in {@link
 * BytesLayout}, the layout gRPC's raw contents share. Every length is checked against what is really there before
 * anything is allocated.
 */
final class BinaryTensors {
  private BinaryTensors() {}

  /** Reads exactly {@code part}'s bytes as a tensor of the given datatype and shape. */
  static Tensor decode(String input, DataType type, long[] shape, ByteBuf part) {
    int size = part.readableBytes();
    if (type == DataType.BYTES) {
      return decodeBytes(input, shape, part);
    }
    long expected = Shape.byteSize(type, shape);
    if (expected != size) {
      throw KilnException.invalid(
          "input '"
              + input
              + "': "
              + size
              + " bytes of binary data, but shape "
              + Shape.format(shape)
              + " of "
              + type
              + " needs "
              + expected);
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    part.getBytes(part.readerIndex(), direct);
    direct.flip();
    return Tensor.of(type, shape, direct);
  }

  private static Tensor decodeBytes(String input, long[] shape, ByteBuf part) {
    try {
      return BytesLayout.decode(shape, part.nioBuffer(part.readerIndex(), part.readableBytes()), "binary data");
    } catch (KilnException e) {
      throw new KilnException(e.kind(), "input '" + input + "': " + e.getMessage());
    }
  }

  /** The tensor's bytes as a buffer for the response body; fixed-size data is wrapped, not copied. */
  static ByteBuf encode(Tensor t) {
    if (t.type() != DataType.BYTES) {
      return Unpooled.wrappedBuffer(t.data());
    }
    return Unpooled.wrappedBuffer(BytesLayout.encode(t));
  }

  /**
   * The concrete shape of a raw binary request's single input: the batch dimension is 1, and at most one other variable
   * dimension is derived from the body's size.
   */
  static long[] concreteShapeFor(String input, DataType type, long[] declared, ByteBuf body) {
    long[] shape = declared.clone();
    if (shape.length > 0 && shape[0] < 0) {
      shape[0] = 1; // a raw binary request is one row
    }
    int variable = -1;
    long fixed = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        if (variable >= 0) {
          throw KilnException.invalid(
              "a raw binary request needs a model input with at most one variable "
                  + "dimension besides the batch; '"
                  + input
                  + "' has more");
        }
        variable = i;
      } else {
        fixed = Math.multiplyExact(fixed, shape[i]);
      }
    }
    if (variable >= 0) {
      long elements;
      if (type == DataType.BYTES) {
        elements = BytesLayout.count(body.nioBuffer(body.readerIndex(), body.readableBytes()), "raw binary body");
      } else {
        long perElement = Math.multiplyExact(fixed, (long) type.byteSize());
        if (perElement == 0 || body.readableBytes() % perElement != 0) {
          throw KilnException.invalid(
              "raw binary body of "
                  + body.readableBytes()
                  + " bytes does not fit input '"
                  + input
                  + "' "
                  + Shape.format(declared)
                  + " of "
                  + type);
        }
        elements = body.readableBytes() / perElement * fixed;
      }
      if (fixed == 0 || elements % fixed != 0) {
        throw KilnException.invalid("raw binary body does not fit input '" + input + "'");
      }
      shape[variable] = elements / fixed;
    }
    return shape;
  }
}
