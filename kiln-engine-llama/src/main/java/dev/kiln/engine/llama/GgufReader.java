package dev.kiln.engine.llama;

import dev.kiln.core.engine.ModelLoadException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a GGUF header from a buffer, checking every count and size against what is left of the file before it allocates
 * or skips anything: a header that claims 2⁶⁰ keys, a string of 2⁶³ bytes, dimensions whose product overflows or tensor
 * data past the end is refused with a reason, never read (ollama's CVE-2024-39720 and CVE-2026-7482 were a 4-byte file
 * and offsets past the end).
 */
final class GgufReader {
  /** llama.cpp refuses more dimensions ({@code GGML_MAX_DIMS}). */
  private static final int MAX_DIMS = 4;

  /** llama.cpp refuses longer tensor names ({@code GGML_MAX_NAME} is 64 with the terminating zero). */
  private static final int MAX_TENSOR_NAME = 63;

  private static final int MAX_KEY = 1 << 16;

  /** Strings kept in memory, all together; arrays (the vocabulary) are skipped, so real models use a few KB. */
  private static final long MAX_KEPT_BYTES = 16L << 20;

  /** The smallest a key-value pair can be: an empty key, the type, a one-byte value. */
  private static final int MIN_KEY_VALUE = 8 + 4 + 1;

  /** The smallest a tensor description can be: an empty name, one dimension, the type, the offset. */
  private static final int MIN_TENSOR_INFO = 8 + 4 + 8 + 4 + 8;

  private static final long MAX_ALIGNMENT = 1 << 20;

  /**
   * Bytes per block and values per block of each ggml tensor type, indexed by type number; 0 where the number is not a
   * type (removed Q4_2, Q4_3 and the like).
   */
  private static final int[][] TYPE_SIZES = {
    {4, 1},
    {2, 1},
    {18, 32},
    {20, 32},
    {0, 0},
    {0, 0},
    {22, 32},
    {24, 32},
    {34, 32},
    {36, 32}, // 0..9
    {84, 256},
    {110, 256},
    {144, 256},
    {176, 256},
    {210, 256},
    {292, 256},
    {66, 256},
    {74, 256}, // 10..17
    {98, 256},
    {50, 256},
    {18, 32},
    {110, 256},
    {82, 256},
    {136, 256},
    {1, 1},
    {2, 1},
    {4, 1},
    {8, 1}, // 18..27
    {8, 1},
    {56, 256},
    {2, 1},
    {0, 0},
    {0, 0},
    {0, 0},
    {54, 256},
    {66, 256} // 28..35
  };

  private final ByteBuffer buf;
  private final long fileSize;
  private long kept;

  GgufReader(ByteBuffer buf, long fileSize) {
    this.buf = buf;
    this.fileSize = fileSize;
  }

  GgufFile read() {
    if (buf.remaining() < 24 || buf.getInt() != GgufWriter.MAGIC) {
      throw invalid("not a GGUF file (magic: expected \"GGUF\")");
    }
    int version = buf.getInt();
    if (version < 2 || version > GgufWriter.VERSION) {
      throw invalid("GGUF version " + Integer.toUnsignedString(version) + " (expected: 2 or 3)");
    }
    long tensors = buf.getLong();
    long keys = buf.getLong();
    if (keys < 0 || keys > buf.remaining() / MIN_KEY_VALUE) {
      throw invalid("metadata count " + Long.toUnsignedString(keys) + " (more than the file can hold)");
    }
    if (tensors < 0 || tensors > buf.remaining() / MIN_TENSOR_INFO) {
      throw invalid("tensor count " + Long.toUnsignedString(tensors) + " (more than the file can hold)");
    }
    Map<String, Object> metadata = new HashMap<>();
    Map<String, GgufType> types = new HashMap<>();
    for (long i = 0; i < keys; i++) {
      String key = string(MAX_KEY, "metadata key");
      GgufType type = type(buf.getInt());
      if (metadata.put(key, value(type)) != null) {
        throw invalid("metadata key " + shown(key) + " appears twice");
      }
      types.put(key, type);
    }
    checkTypes(metadata, types);
    long alignment = (Long) metadata.getOrDefault("general.alignment", (long) GgufWriter.DEFAULT_ALIGNMENT);
    if (alignment <= 0 || alignment > MAX_ALIGNMENT || Long.bitCount(alignment) != 1) {
      throw invalid("general.alignment " + alignment + " (expected: a power of two up to " + MAX_ALIGNMENT + ")");
    }
    tensorInfos(tensors, alignment);
    return new GgufFile(version, tensors, Map.copyOf(metadata));
  }

  private void checkTypes(Map<String, Object> metadata, Map<String, GgufType> types) {
    // The architecture names the prefix of the other keys; a non-string one is refused in the loop below.
    String arch = metadata.get("general.architecture") instanceof String s ? s : "";
    for (Map.Entry<String, Object> e : metadata.entrySet()) {
      String wrong = GgufKeys.wrongType(e.getKey(), e.getValue(), types.get(e.getKey()), arch);
      if (wrong != null) {
        throw invalid(wrong);
      }
    }
    Object context = metadata.get(arch + ".context_length");
    if (context instanceof Long n && (n <= 0 || n > Integer.MAX_VALUE)) {
      throw invalid("metadata key " + arch + ".context_length is " + n + " (expected: 1 to " + Integer.MAX_VALUE + ")");
    }
  }

  /** Reads the tensor descriptions and checks that each tensor's data lies aligned inside the file. */
  private void tensorInfos(long tensors, long alignment) {
    Set<String> names = new HashSet<>();
    long[] offsets = new long[(int) tensors];
    long[] sizes = new long[(int) tensors];
    String[] tensorNames = new String[(int) tensors];
    for (int t = 0; t < tensors; t++) {
      String name = string(MAX_TENSOR_NAME, "tensor name");
      if (!names.add(name)) {
        throw invalid("tensor " + shown(name) + " appears twice");
      }
      tensorNames[t] = shown(name);
      sizes[t] = tensorBytes(name);
      offsets[t] = buf.getLong();
      if (offsets[t] < 0 || offsets[t] % alignment != 0) {
        throw invalid(
            "tensor "
                + shown(name)
                + ": offset "
                + Long.toUnsignedString(offsets[t])
                + " (expected: a multiple of "
                + alignment
                + ")");
      }
    }
    long dataStart = GgufWriter.align(buf.position(), (int) alignment);
    long room = fileSize - dataStart;
    for (int t = 0; t < tensors; t++) {
      // offset and size are each checked against the room before they are added, so the sum cannot overflow.
      if (room < 0 || offsets[t] > room || sizes[t] > room - offsets[t]) {
        throw invalid(
            "tensor "
                + tensorNames[t]
                + ": its data ("
                + sizes[t]
                + " bytes at offset "
                + offsets[t]
                + ") lies past the end of the file");
      }
    }
  }

  /** Reads a tensor's dimensions and type; returns its size in bytes, or Long.MAX_VALUE when that overflows. */
  private long tensorBytes(String name) {
    int dims = buf.getInt();
    if (dims < 1 || dims > MAX_DIMS) {
      throw invalid("tensor " + shown(name) + ": " + Integer.toUnsignedString(dims) + " dimensions (expected: 1 to 4)");
    }
    long count = 1;
    boolean overflow = false;
    for (int d = 0; d < dims; d++) {
      long n = buf.getLong();
      if (n <= 0) {
        throw invalid("tensor " + shown(name) + ": dimension " + Long.toUnsignedString(n) + " (expected: > 0)");
      }
      long product = count * n;
      overflow |= Math.multiplyHigh(count, n) != 0 || product < 0;
      count = product;
    }
    int type = buf.getInt();
    if (type < 0 || type >= TYPE_SIZES.length || TYPE_SIZES[type][0] == 0) {
      throw invalid("tensor " + shown(name) + ": unknown type " + Integer.toUnsignedString(type));
    }
    if (overflow) {
      throw invalid("tensor " + shown(name) + ": the product of its dimensions overflows");
    }
    int[] size = TYPE_SIZES[type];
    if (count % size[1] != 0) {
      throw invalid("tensor " + shown(name) + ": " + count + " values (expected: a multiple of " + size[1] + ")");
    }
    long blocks = count / size[1];
    return blocks > Long.MAX_VALUE / size[0] ? Long.MAX_VALUE : blocks * size[0];
  }

  private GgufType type(int id) {
    GgufType type = GgufType.of(id);
    if (type == null) {
      throw invalid("metadata value type " + Integer.toUnsignedString(id));
    }
    return type;
  }

  private Object value(GgufType type) {
    return switch (type) {
      case UINT8 -> (long) Byte.toUnsignedInt(buf.get());
      case INT8 -> (long) buf.get();
      case UINT16 -> (long) Short.toUnsignedInt(buf.getShort());
      case INT16 -> (long) buf.getShort();
      case UINT32 -> Integer.toUnsignedLong(buf.getInt());
      case INT32 -> (long) buf.getInt();
      case UINT64, INT64 -> buf.getLong();
      case FLOAT32 -> (double) buf.getFloat();
      case FLOAT64 -> buf.getDouble();
      case BOOL -> buf.get() != 0;
      case STRING -> string(Integer.MAX_VALUE, "metadata string");
      case ARRAY -> array();
    };
  }

  /** Skips an array; keeps its element type and length. */
  private GgufFile.Array array() {
    GgufType element = type(buf.getInt());
    long count = buf.getLong();
    if (element == GgufType.ARRAY) {
      throw invalid("metadata array of arrays");
    }
    // Every element takes at least one byte (a string at least its 8-byte length).
    long min = element == GgufType.STRING ? 8 : element.size;
    if (count < 0 || count > buf.remaining() / min) {
      throw invalid(
          "metadata array of " + Long.toUnsignedString(count) + " " + element + " values (more than the file holds)");
    }
    if (element == GgufType.STRING) {
      for (long i = 0; i < count; i++) {
        skip(length("metadata string"));
      }
    } else {
      skip(count * element.size);
    }
    return new GgufFile.Array(element, count);
  }

  /** A string of at most {@code max} bytes; every string kept counts against {@link #MAX_KEPT_BYTES}. */
  private String string(int max, String what) {
    long length = length(what);
    if (length > max) {
      throw invalid(what + " of " + length + " bytes (at most " + max + ")");
    }
    kept += length;
    if (kept > MAX_KEPT_BYTES) {
      throw invalid("more than " + (MAX_KEPT_BYTES >> 20) + " MiB of metadata strings");
    }
    byte[] bytes = new byte[(int) length];
    buf.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private long length(String what) {
    long length = buf.getLong();
    if (length < 0 || length > buf.remaining()) {
      throw invalid(what + " of " + Long.toUnsignedString(length) + " bytes past the end of the file");
    }
    return length;
  }

  private void skip(long n) {
    if (n > buf.remaining()) {
      throw invalid("metadata past the end of the file");
    }
    buf.position(buf.position() + (int) n);
  }

  /** A name from the file as a message shows it: printable ASCII, at most 64 characters. */
  private static String shown(String name) {
    String s = name.replaceAll("[^\\x20-\\x7e]", "?");
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  private static ModelLoadException invalid(String what) {
    return new ModelLoadException("not a valid GGUF file: " + what);
  }
}
