package dev.kiln.engine.llama;

import dev.kiln.core.engine.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a GGUF file's header says, read and checked before llama.cpp gets the file: magic, version, counts within
 * sane bounds, every string and array inside the file, known tensor types, and every tensor's data inside the
 * file. Keeps the scalar and string metadata; arrays are only skipped over.
 *
 * @param fileName for messages
 */
record GgufFile(String fileName, int version, long tensorCount, Map<String, Object> metadata) {
  private static final long MAX_TENSORS = 1L << 20;
  private static final long MAX_KEYS = 1L << 20;
  private static final int MAX_DIMS = 4;

  /**
   * Bytes per block and values per block of each ggml tensor type, indexed by type number; 0 where the number is
   * not a type (removed Q4_2, Q4_3 and the like).
   */
  private static final int[][] TYPE_SIZES = {
    {4, 1}, {2, 1}, {18, 32}, {20, 32}, {0, 0}, {0, 0}, {22, 32}, {24, 32}, {34, 32}, {36, 32}, // 0..9
    {84, 256}, {110, 256}, {144, 256}, {176, 256}, {210, 256}, {292, 256}, {66, 256}, {74, 256}, // 10..17
    {98, 256}, {50, 256}, {18, 32}, {110, 256}, {82, 256}, {136, 256}, {1, 1}, {2, 1}, {4, 1}, {8, 1}, // 18..27
    {8, 1}, {56, 256}, {2, 1}, {0, 0}, {0, 0}, {0, 0}, {54, 256}, {66, 256} // 28..35
  };

  /** Reads and checks {@code file}'s header. */
  static GgufFile read(Path file) {
    String name = String.valueOf(file.getFileName());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      // The header is at the start; a model of several GB is only mapped as far as a buffer reaches.
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
          .order(ByteOrder.LITTLE_ENDIAN);
      return new Reader(name, buf, size).read();
    } catch (IOException e) {
      throw new ModelLoadException(name + ": cannot be read", e);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new ModelLoadException(name + ": not a valid GGUF file (truncated header)", e);
    }
  }

  Optional<Object> get(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  /** A numeric metadata value. */
  Optional<Long> number(String key) {
    return get(key).filter(Number.class::isInstance).map(v -> ((Number) v).longValue());
  }

  String architecture() {
    return get("general.architecture").map(String::valueOf).orElse("");
  }

  private static final class Reader {
    private final String name;
    private final ByteBuffer buf;
    private final long fileSize;

    Reader(String name, ByteBuffer buf, long fileSize) {
      this.name = name;
      this.buf = buf;
      this.fileSize = fileSize;
    }

    GgufFile read() {
      if (buf.remaining() < 24 || buf.getInt() != GgufWriter.MAGIC) {
        throw invalid("not a GGUF file (magic: expected \"GGUF\")");
      }
      int version = buf.getInt();
      if (version < 2 || version > GgufWriter.VERSION) {
        throw invalid("GGUF version " + version + " (expected: 2 or 3)");
      }
      long tensors = buf.getLong();
      long keys = buf.getLong();
      if (tensors < 0 || tensors > MAX_TENSORS || keys < 0 || keys > MAX_KEYS) {
        throw invalid("tensor count " + tensors + ", metadata count " + keys + " (out of bounds)");
      }
      Map<String, Object> metadata = new HashMap<>();
      for (long i = 0; i < keys; i++) {
        String key = string();
        int type = buf.getInt();
        metadata.put(key, value(type));
      }
      long alignment = ((Number) metadata.getOrDefault("general.alignment", GgufWriter.DEFAULT_ALIGNMENT)).longValue();
      if (alignment <= 0 || Long.bitCount(alignment) != 1) {
        throw invalid("general.alignment " + alignment + " (expected: a power of two)");
      }
      long[] ends = tensorEnds(tensors);
      long dataStart = GgufWriter.align(buf.position(), (int) alignment);
      for (long end : ends) {
        if (dataStart + end > fileSize) {
          throw invalid("tensor data ends at byte " + (dataStart + end) + " past the end of the file ("
              + fileSize + " bytes)");
        }
      }
      return new GgufFile(name, version, tensors, Map.copyOf(metadata));
    }

    /** Reads the tensor descriptions; returns where each tensor's data ends, relative to the data section. */
    private long[] tensorEnds(long tensors) {
      long[] ends = new long[(int) tensors];
      for (int t = 0; t < tensors; t++) {
        String tensor = string();
        int dims = buf.getInt();
        if (dims < 1 || dims > MAX_DIMS) {
          throw invalid("tensor " + tensor + ": " + dims + " dimensions (expected: 1 to 4)");
        }
        long count = 1;
        for (int d = 0; d < dims; d++) {
          long n = buf.getLong();
          if (n <= 0 || n > Integer.MAX_VALUE) {
            throw invalid("tensor " + tensor + ": dimension " + n);
          }
          count = Math.multiplyExact(count, n);
        }
        int type = buf.getInt();
        if (type < 0 || type >= TYPE_SIZES.length || TYPE_SIZES[type][0] == 0) {
          throw invalid("tensor " + tensor + ": unknown type " + type);
        }
        long offset = buf.getLong();
        int[] sizes = TYPE_SIZES[type];
        if (offset < 0 || count % sizes[1] != 0) {
          throw invalid("tensor " + tensor + ": offset " + offset + ", " + count + " values");
        }
        ends[t] = Math.addExact(offset, Math.multiplyExact(count / sizes[1], (long) sizes[0]));
      }
      return ends;
    }

    private Object value(int typeId) {
      GgufType type = GgufType.of(typeId);
      if (type == null) {
        throw invalid("metadata value type " + typeId);
      }
      return switch (type) {
        case UINT8, INT8 -> (long) buf.get();
        case UINT16, INT16 -> (long) buf.getShort();
        case UINT32 -> Integer.toUnsignedLong(buf.getInt());
        case INT32 -> (long) buf.getInt();
        case UINT64, INT64 -> buf.getLong();
        case FLOAT32 -> (double) buf.getFloat();
        case FLOAT64 -> buf.getDouble();
        case BOOL -> buf.get() != 0;
        case STRING -> string();
        case ARRAY -> array();
      };
    }

    /** Skips an array; keeps only its length. */
    private Object array() {
      GgufType element = GgufType.of(buf.getInt());
      long count = buf.getLong();
      if (element == null || element == GgufType.ARRAY || count < 0 || count > buf.remaining()) {
        throw invalid("metadata array of " + count + " " + element);
      }
      if (element == GgufType.STRING) {
        for (long i = 0; i < count; i++) {
          skipString();
        }
      } else {
        skip(Math.multiplyExact(count, (long) element.size));
      }
      return count;
    }

    private String string() {
      long length = stringLength();
      byte[] bytes = new byte[(int) length];
      buf.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }

    private void skipString() {
      skip(stringLength());
    }

    private long stringLength() {
      long length = buf.getLong();
      if (length < 0 || length > buf.remaining()) {
        throw invalid("string of " + length + " bytes past the end of the file");
      }
      return length;
    }

    private void skip(long n) {
      if (n > buf.remaining()) {
        throw invalid("metadata past the end of the file");
      }
      buf.position(buf.position() + (int) n);
    }

    private ModelLoadException invalid(String what) {
      return new ModelLoadException(name + ": not a valid GGUF file: " + what);
    }
  }
}
