package dev.kiln.training.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads IDX files (the MNIST format): magic {@code 0x00 0x00 <type> <dims>}, big-endian int32 dimensions, then
 * big-endian values of type ubyte, byte, short, int, float or double. Files may be gzipped.
 */
public final class IdxReader {
  private IdxReader() {}

  /** An IDX file's dimensions and values. */
  record Idx(int[] dims, float[] values) {}

  /**
   * Images {@code [n, rows, cols]} (one grey channel) or {@code [n, rows, cols, channels]}, with labels {@code [n]}.
   */
  public static ImageData read(Path images, Path labels, ReadLimits limits) {
    Idx x = read(images, limits);
    Idx y = read(labels, limits);
    String name = RawFiles.name(images);
    if (x.dims().length != 3) {
      throw new DatasetException(name + ": " + x.dims().length + " dimensions (expected: 3, [n, rows, cols])");
    }
    if (y.dims().length != 1 || y.dims()[0] != x.dims()[0]) {
      throw new DatasetException(
          RawFiles.name(labels) + ": " + Arrays.toString(y.dims()) + " labels for " + x.dims()[0] + " images");
    }
    int n = x.dims()[0];
    int w = x.dims()[1] * x.dims()[2];
    List<float[]> imgs = new ArrayList<>(n);
    List<String> ls = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      imgs.add(Arrays.copyOfRange(x.values(), i * w, (i + 1) * w));
      float v = y.values()[i];
      ls.add(v == Math.rint(v) ? Long.toString((long) v) : Float.toString(v));
    }
    return new ImageData(name, 1, x.dims()[1], x.dims()[2], imgs, ls);
  }

  static Idx read(Path file, ReadLimits limits) {
    String name = RawFiles.name(file);
    try (DataInputStream in = new DataInputStream(RawFiles.open(file, limits))) {
      int magic = in.readInt();
      int type = (magic >> 8) & 0xff;
      int rank = magic & 0xff;
      if ((magic >>> 16) != 0 || size(type) == 0 || rank < 1) {
        throw new DatasetException(name + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ")");
      }
      int[] dims = new int[rank];
      long count = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = in.readInt();
        if (dims[i] < 0) {
          throw new DatasetException(name + ": negative dimension " + dims[i]);
        }
        count *= dims[i];
        // Checked before allocating: a forged header must not make us reserve gigabytes.
        if (count * size(type) > limits.maxFileBytes() || count > Integer.MAX_VALUE - 8) {
          throw new DatasetTooLargeException(name + ": dimensions " + Arrays.toString(dims) + " exceed the size limit");
        }
      }
      // Values are held as floats (4 bytes each, whatever the file's type): bounded like any dataset's cells.
      if (count > limits.maxCells()) {
        throw new DatasetTooLargeException(
            name + ": dimensions " + Arrays.toString(dims) + " exceed the limit of " + limits.maxCells() + " values");
      }
      if (dims[0] > limits.maxRows()) {
        throw new DatasetTooLargeException(
            name + ": " + dims[0] + " items, more than the limit of " + limits.maxRows());
      }
      float[] values = new float[(int) count];
      for (int i = 0; i < values.length; i++) {
        values[i] = value(in, type);
      }
      return new Idx(dims, values);
    } catch (EOFException e) {
      throw new DatasetException(name + ": truncated (fewer values than its dimensions declare)", e);
    } catch (IOException e) {
      throw new DatasetException(name + ": cannot be read", e);
    }
  }

  /** Whether {@code file} starts with an IDX magic number. */
  static boolean isIdx(Path file) {
    return rank(file) > 0;
  }

  /** The number of dimensions an IDX file declares, or 0 when it is not an IDX file. */
  static int rank(Path file) {
    try (InputStream in = RawFiles.open(file, ReadLimits.defaults())) {
      byte[] m = in.readNBytes(4);
      return m.length == 4 && m[0] == 0 && m[1] == 0 && size(m[2] & 0xff) > 0 && m[3] > 0 ? m[3] : 0;
    } catch (IOException | DatasetException e) {
      return 0;
    }
  }

  private static int size(int type) {
    return switch (type) {
      case 0x08, 0x09 -> 1;
      case 0x0B -> 2;
      case 0x0C, 0x0D -> 4;
      case 0x0E -> 8;
      default -> 0;
    };
  }

  private static float value(DataInputStream in, int type) throws IOException {
    return switch (type) {
      case 0x08 -> in.readUnsignedByte();
      case 0x09 -> in.readByte();
      case 0x0B -> in.readShort();
      case 0x0C -> in.readInt();
      case 0x0D -> in.readFloat();
      default -> (float) in.readDouble();
    };
  }
}
