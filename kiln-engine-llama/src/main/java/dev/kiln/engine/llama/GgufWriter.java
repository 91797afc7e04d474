package dev.kiln.engine.llama;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes GGUF version 3 files (the llama.cpp model format): typed metadata, then tensor descriptions, then F32 tensor
 * data, each tensor aligned to {@code general.alignment} bytes (32 unless set). Everything is little-endian. Meant for
 * small files (test models): the whole file is built in memory.
 *
 * <p>Tensor dimensions are given GGUF's way round: {@code dims[0]} is the row length (the fastest-varying index), so a
 * weight matrix {@code W} used as {@code y = W x} with {@code x} of size {@code n} and {@code y} of size {@code m} has
 * {@code dims = {n, m}} and its data is {@code m} rows of {@code n} floats.
 */
public final class GgufWriter {
  static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
  static final int VERSION = 3;
  static final int DEFAULT_ALIGNMENT = 32;
  static final int GGML_TYPE_F32 = 0;

  private final Map<String, Value> metadata = new LinkedHashMap<>();
  private final List<Tensor> tensors = new ArrayList<>();

  private record Value(GgufType type, GgufType elementType, Object value) {}

  private record Tensor(String name, long[] dims, float[] data) {}

  public GgufWriter string(String key, String value) {
    return put(key, new Value(GgufType.STRING, null, Objects.requireNonNull(value, "value")));
  }

  public GgufWriter uint32(String key, int value) {
    return put(key, new Value(GgufType.UINT32, null, value));
  }

  public GgufWriter float32(String key, float value) {
    return put(key, new Value(GgufType.FLOAT32, null, value));
  }

  public GgufWriter bool(String key, boolean value) {
    return put(key, new Value(GgufType.BOOL, null, value));
  }

  public GgufWriter strings(String key, List<String> values) {
    return put(key, new Value(GgufType.ARRAY, GgufType.STRING, List.copyOf(values)));
  }

  public GgufWriter floats(String key, float[] values) {
    return put(key, new Value(GgufType.ARRAY, GgufType.FLOAT32, values.clone()));
  }

  public GgufWriter ints(String key, int[] values) {
    return put(key, new Value(GgufType.ARRAY, GgufType.INT32, values.clone()));
  }

  /** Adds an F32 tensor; {@code data.length} must be the product of {@code dims}. */
  public GgufWriter tensor(String name, float[] data, long... dims) {
    Objects.requireNonNull(name, "name");
    long count = 1;
    for (long d : dims) {
      if (d <= 0) {
        throw new IllegalArgumentException("tensor " + name + ": dimension " + d + " (expected: > 0)");
      }
      count *= d;
    }
    if (dims.length == 0 || dims.length > 4 || count != data.length) {
      throw new IllegalArgumentException(
          "tensor " + name + ": " + data.length + " values for " + dims.length + " dimensions of " + count);
    }
    tensors.add(new Tensor(name, dims.clone(), data.clone()));
    return this;
  }

  private GgufWriter put(String key, Value value) {
    Objects.requireNonNull(key, "key");
    if (metadata.putIfAbsent(key, value) != null) {
      throw new IllegalArgumentException("duplicate metadata key: " + key);
    }
    return this;
  }

  private int alignment() {
    Value v = metadata.get("general.alignment");
    // A general.alignment of another type (a hostile file written for a test) leaves the default.
    return v != null && v.value() instanceof Integer a ? a : DEFAULT_ALIGNMENT;
  }

  /** Writes the file, replacing one that is there. */
  public void write(Path file) {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(toBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] toBytes() {
    int alignment = alignment();
    long[] offsets = new long[tensors.size()];
    long dataSize = 0;
    for (int i = 0; i < tensors.size(); i++) {
      offsets[i] = dataSize;
      dataSize = align(dataSize + 4L * tensors.get(i).data().length, alignment);
    }
    Sink head = new Sink();
    head.i32(MAGIC).i32(VERSION).i64(tensors.size()).i64(metadata.size());
    metadata.forEach((k, v) -> writeValue(head.str(k), v));
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      head.str(t.name()).i32(t.dims().length);
      for (long d : t.dims()) {
        head.i64(d);
      }
      head.i32(GGML_TYPE_F32).i64(offsets[i]);
    }
    long dataStart = align(head.size(), alignment);
    ByteBuffer file = ByteBuffer.allocate(Math.toIntExact(dataStart + dataSize)).order(ByteOrder.LITTLE_ENDIAN);
    file.put(head.bytes());
    for (int i = 0; i < tensors.size(); i++) {
      file.position(Math.toIntExact(dataStart + offsets[i]));
      file.asFloatBuffer().put(tensors.get(i).data());
    }
    return file.array();
  }

  private static void writeValue(Sink s, Value v) {
    s.i32(v.type().id);
    switch (v.type()) {
      case STRING -> s.str((String) v.value());
      case UINT32 -> s.i32((Integer) v.value());
      case FLOAT32 -> s.f32((Float) v.value());
      case BOOL -> s.u8((Boolean) v.value() ? 1 : 0);
      case ARRAY -> {
        s.i32(v.elementType().id);
        switch (v.value()) {
          case List<?> l -> {
            s.i64(l.size());
            l.forEach(e -> s.str((String) e));
          }
          case float[] f -> {
            s.i64(f.length);
            for (float x : f) {
              s.f32(x);
            }
          }
          case int[] n -> {
            s.i64(n.length);
            for (int x : n) {
              s.i32(x);
            }
          }
          default -> throw new IllegalStateException(v.toString());
        }
      }
      default -> throw new IllegalStateException(v.type().toString());
    }
  }

  static long align(long offset, int alignment) {
    return (offset + alignment - 1) / alignment * alignment;
  }

  /** A growable little-endian byte buffer for the header. */
  private static final class Sink {
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private Sink room(int n) {
      if (buf.remaining() < n) {
        ByteBuffer bigger =
            ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
        bigger.put(buf.flip());
        buf = bigger;
      }
      return this;
    }

    Sink u8(int v) {
      room(1).buf.put((byte) v);
      return this;
    }

    Sink i32(int v) {
      room(4).buf.putInt(v);
      return this;
    }

    Sink i64(long v) {
      room(8).buf.putLong(v);
      return this;
    }

    Sink f32(float v) {
      room(4).buf.putFloat(v);
      return this;
    }

    Sink str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      i64(b.length).room(b.length).buf.put(b);
      return this;
    }

    int size() {
      return buf.position();
    }

    byte[] bytes() {
      byte[] out = new byte[buf.position()];
      buf.get(0, out);
      return out;
    }
  }
}
