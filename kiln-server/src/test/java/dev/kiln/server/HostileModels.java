package dev.kiln.server;

import com.google.protobuf.UnknownFieldSet;
import dev.kiln.engine.llama.GgufWriter;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.onnx.proto.ModelProto;
import dev.kiln.onnx.proto.StringStringEntryProto;
import dev.kiln.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Hostile model files of every format (bad-inputs.md rows 5 and 13, test T9), each with the part of the reason a
 * refusal must give. GGUF variants are written by {@link GgufWriter} and then patched where the writer will not write a
 * lie (dimensions, offsets, counts).
 */
final class HostileModels {
  /** A hostile file and what the caller must be told about it. */
  record Hostile(String reason, byte[] bytes) {}

  private final Path dir;

  HostileModels(Path dir) {
    this.dir = dir;
  }

  Map<String, Hostile> all() {
    Map<String, Hostile> m = new LinkedHashMap<>();
    // The file of issue 10: v3 header, general.alignment stored as a STRING, one F32 tensor.
    m.put(
        "gguf-alignment-string",
        new Hostile(
            "general.alignment is STRING",
            gguf(w -> w.string("general.architecture", "llama").string("general.alignment", "32"), 1)));
    m.put(
        "gguf-architecture-uint32",
        new Hostile("general.architecture is UINT32", gguf(w -> w.uint32("general.architecture", 7), 1)));
    m.put(
        "gguf-context-string",
        new Hostile(
            "llama.context_length is STRING",
            gguf(w -> w.string("general.architecture", "llama").string("llama.context_length", "lots"), 1)));
    m.put(
        "gguf-dims-overflow",
        new Hostile(
            "product of its dimensions overflows",
            patchTensor(gguf(w -> w, 1, 1, 1, 1), new long[] {1L << 31, 1L << 31, 1L << 31, 1L << 31}, 0)));
    m.put(
        "gguf-size-overflow",
        new Hostile(
            "past the end of the file",
            patchTensor(gguf(w -> w, 1, 1), new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, 0)));
    m.put(
        "gguf-offset-wraps",
        new Hostile("past the end of the file", patchTensor(gguf(w -> w, 1), new long[] {1}, Long.MAX_VALUE & ~31L)));
    m.put(
        "gguf-offset-past-eof",
        new Hostile("past the end of the file", patchTensor(gguf(w -> w, 1), new long[] {1}, 1 << 20)));
    m.put("gguf-four-bytes", new Hostile("not a GGUF file", "GGUF".getBytes(StandardCharsets.US_ASCII)));
    m.put("gguf-tensor-count", new Hostile("tensor count", patchLong(gguf(w -> w, 1), 8, 1L << 40)));
    m.put("gguf-key-count", new Hostile("metadata count", patchLong(gguf(w -> w.string("a", "b"), 1), 16, -1)));
    m.put(
        "gguf-string-length",
        new Hostile("past the end of the file", patchLong(gguf(w -> w.string("a", "b"), 1), 24, Long.MAX_VALUE)));
    m.put(
        "gguf-array-count",
        new Hostile(
            "metadata array of",
            patchLong(gguf(w -> w.floats("f", new float[] {1, 2}), 1), 24 + 8 + 1 + 4 + 4, 1L << 61)));
    byte[] addSub = ExampleModels.addSub();
    m.put("onnx-garbage", new Hostile("not a valid ONNX model", random(4096, 1)));
    m.put("onnx-truncated", new Hostile("not a valid ONNX model", Arrays.copyOf(addSub, addSub.length / 2)));
    m.put(
        "onnx-2-40-dimension",
        new Hostile("does not match its declared shape", withInitializer(tensor(null, 1L << 40, 4))));
    m.put(
        "onnx-external-data",
        new Hostile("external data", withInitializer(tensor("../../../../../../../../etc/passwd", 1, 4))));
    m.put("csv", new Hostile("not a valid ONNX model", "x,y\n1,2\n3,4\n".getBytes(StandardCharsets.UTF_8)));
    m.put("random", new Hostile("not a valid ONNX model", random(100_000, 2)));
    // A pickle whose __reduce__ would run a command (bad-inputs.md row 6): Kiln never unpickles, so it is refused.
    m.put(
        "pickle",
        new Hostile(
            "not a valid ONNX model",
            ("cos\nsystem\n(S'touch " + marker() + "'\ntR.").getBytes(StandardCharsets.US_ASCII)));
    m.put("zero-bytes", new Hostile("the body must be the model file", new byte[0]));
    return m;
  }

  /** The file the pickle's command would create: it must never appear. */
  Path marker() {
    return dir.resolve("pwned");
  }

  /** One F32 tensor {@code w} of {@code dims}, after the metadata {@code meta} writes. */
  private byte[] gguf(UnaryOperator<GgufWriter> meta, long... dims) {
    long n = Arrays.stream(dims).reduce(1, Math::multiplyExact);
    try {
      Path f = dir.resolve("hostile.gguf");
      meta.apply(new GgufWriter()).tensor("w", new float[(int) n], dims).write(f);
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Overwrites tensor {@code w}'s dimensions (as many as it has) and its offset. */
  private static byte[] patchTensor(byte[] file, long[] dims, long offset) {
    byte[] name = {1, 0, 0, 0, 0, 0, 0, 0, 'w'};
    int at = -1;
    for (int i = file.length - name.length; i >= 0 && at < 0; i--) {
      if (Arrays.equals(file, i, i + name.length, name, 0, name.length)) {
        at = i + name.length;
      }
    }
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(at) != dims.length) {
      throw new IllegalStateException("tensor w has " + b.getInt(at) + " dimensions");
    }
    for (int d = 0; d < dims.length; d++) {
      b.putLong(at + 4 + 8 * d, dims[d]);
    }
    b.putLong(at + 4 + 8 * dims.length + 4, offset);
    return file;
  }

  private static byte[] patchLong(byte[] file, int at, long value) {
    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
    return file;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    b[0] = 'X'; // not "GGUF" by chance
    return b;
  }

  /** add_sub with its {@code b} input replaced by an initializer. */
  private static byte[] withInitializer(TensorProto tensor) {
    try {
      ModelProto.Builder model = ModelProto.parseFrom(ExampleModels.addSub()).toBuilder();
      model.getGraphBuilder().addInitializer(tensor.toBuilder().setName("b")).removeInput(1);
      return model.build().toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An FP32 initializer of {@code dims} with no data of its own, or with external data at {@code location}. */
  private static TensorProto tensor(String location, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE);
    Arrays.stream(dims).forEach(t::addDims);
    if (location != null) { // external_data (13) and data_location = EXTERNAL (14): not in Kiln's proto subset
      var entry = StringStringEntryProto.newBuilder().setKey("location").setValue(location).build().toByteString();
      t.setUnknownFields(
          UnknownFieldSet.newBuilder()
              .addField(13, UnknownFieldSet.Field.newBuilder().addLengthDelimited(entry).build())
              .addField(14, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
              .build());
    }
    return t.build();
  }
}
