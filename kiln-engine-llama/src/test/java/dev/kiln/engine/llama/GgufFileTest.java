package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.engine.ModelLoadException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
  @TempDir Path dir;

  @Test
  void readsWhatTheWriterWrote() {
    Path file = dir.resolve("m.gguf");
    new GgufWriter()
        .string("general.architecture", "test")
        .uint32("test.context_length", 128)
        .float32("test.eps", 0.5f)
        .bool("flag", true)
        .strings("names", java.util.List.of("a", "bb"))
        .ints("ids", new int[] {1, 2, 3})
        .tensor("w", new float[6], 3, 2)
        .tensor("b", new float[1], 1)
        .write(file);
    GgufFile gguf = GgufFile.read(file);
    assertThat(gguf.version()).isEqualTo(3);
    assertThat(gguf.tensorCount()).isEqualTo(2);
    assertThat(gguf.architecture()).isEqualTo("test");
    assertThat(gguf.number("test.context_length")).contains(128L);
    assertThat(gguf.get("test.eps")).contains(0.5);
    assertThat(gguf.get("flag")).contains(true);
    assertThat(gguf.get("names")).contains(new GgufFile.Array(GgufType.STRING, 2));
  }

  @Test
  void tinyLlamaIsSmallAndValid() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 1);
    assertThat(Files.size(file)).isLessThan(1 << 20);
    assertThat(GgufFile.read(file).architecture()).isEqualTo("llama");
  }

  @Test
  void rejectsAFourByteFile() throws Exception {
    Path file = Files.write(dir.resolve("four.gguf"), "GGUF".getBytes());
    assertThatThrownBy(() -> GgufFile.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("not a GGUF file");
  }

  @Test
  void rejectsTensorDataPastTheEnd() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 1);
    byte[] all = Files.readAllBytes(file);
    Path cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(all, all.length - 1000));
    assertThatThrownBy(() -> GgufFile.read(cut))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("past the end of the file");
    Path header = Files.write(dir.resolve("header.gguf"), Arrays.copyOf(all, 2000));
    assertThatThrownBy(() -> GgufFile.read(header)).isInstanceOf(ModelLoadException.class);
  }

  @Test
  void engineRefusesBadFilesWithoutCrashing() throws Exception {
    LlamaEngine engine = new LlamaEngine(LlamaOptions.defaults());
    Path four = Files.write(dir.resolve("four.gguf"), new byte[] {'G', 'G', 'U', 'F'});
    assertThatThrownBy(() -> engine.load(four)).isInstanceOf(ModelLoadException.class);
    Path text = Files.writeString(dir.resolve("text.gguf"), "not a model at all, just some text");
    assertThatThrownBy(() -> engine.load(text)).isInstanceOf(ModelLoadException.class);
    assertThatThrownBy(() -> engine.load(dir.resolve("missing.gguf"))).isInstanceOf(ModelLoadException.class);
  }

  /** One F32 tensor {@code w} of {@code dims}, with the given metadata written by {@code meta}. */
  private static byte[] oneTensor(java.util.function.UnaryOperator<GgufWriter> meta, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return meta.apply(new GgufWriter()).tensor("w", new float[(int) n], dims).toBytes();
  }

  /** Overwrites tensor {@code w}'s dimensions (same count) and offset in a file written by the writer. */
  private static byte[] patchTensor(byte[] file, long[] dims, long offset) {
    byte[] name = {1, 0, 0, 0, 0, 0, 0, 0, 'w'};
    int at = -1;
    for (int i = file.length - name.length; i >= 0 && at < 0; i--) {
      if (Arrays.equals(file, i, i + name.length, name, 0, name.length)) {
        at = i + name.length;
      }
    }
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(at)).isEqualTo(dims.length);
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

  /** Hostile headers, each with the reason it must be refused for (CVE-2024-39720 and friends). */
  static Map<String, byte[]> hostile() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("general.alignment is STRING", oneTensor(w -> w.string("general.alignment", "32"), 1));
    m.put("general.architecture is UINT32", oneTensor(w -> w.uint32("general.architecture", 7), 1));
    m.put(
        "llama.context_length is STRING",
        oneTensor(w -> w.string("general.architecture", "llama").string("llama.context_length", "lots"), 1));
    m.put(
        "tokenizer.ggml.tokens is an ARRAY of FLOAT32",
        oneTensor(w -> w.floats("tokenizer.ggml.tokens", new float[] {1}), 1));
    m.put(
        "llama.context_length is 0",
        oneTensor(w -> w.string("general.architecture", "llama").uint32("llama.context_length", 0), 1));
    m.put(
        "product of its dimensions overflows",
        patchTensor(
            oneTensor(w -> w, 1, 1, 1, 1),
            new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE},
            0));
    m.put(
        "past the end of the file",
        patchTensor(oneTensor(w -> w, 1, 1), new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, 0));
    m.put("lies past the end", patchTensor(oneTensor(w -> w, 1), new long[] {1}, Long.MAX_VALUE & ~31L));
    m.put("offset 4096", patchTensor(oneTensor(w -> w, 1), new long[] {1}, 4096));
    m.put("dimension 0", patchTensor(oneTensor(w -> w, 1), new long[] {0}, 0));
    m.put("tensor count 1099511627776", patchLong(oneTensor(w -> w, 1), 8, 1L << 40));
    m.put("metadata count 18446744073709551615", patchLong(oneTensor(w -> w.string("a", "b"), 1), 16, -1));
    m.put(
        "metadata key of 9223372036854775807 bytes",
        patchLong(oneTensor(w -> w.string("a", "b"), 1), 24, Long.MAX_VALUE));
    byte[] array = oneTensor(w -> w.floats("f", new float[] {1, 2}), 1);
    m.put("metadata array of 2305843009213693952 FLOAT32", patchLong(array, 24 + 8 + 1 + 4 + 4, 1L << 61));
    m.put("magic", "GGUF".getBytes(StandardCharsets.US_ASCII));
    return m;
  }

  @Test
  void refusesEveryHostileHeaderWithAReasonAndNoOtherException() throws Exception {
    for (Map.Entry<String, byte[]> e : hostile().entrySet()) {
      Path file = Files.write(dir.resolve("0123456789abcdef.gguf"), e.getValue());
      assertThatThrownBy(() -> GgufFile.read(file))
          .as(e.getKey())
          .isExactlyInstanceOf(ModelLoadException.class)
          .hasMessageContaining(e.getKey())
          .hasMessageNotContaining("0123456789abcdef")
          .hasMessageNotContaining(dir.toString());
    }
  }

  @Test
  void theEngineRefusesAStringAlignmentBeforeLlamaCppSeesIt() throws Exception {
    Path file = Files.write(dir.resolve("a.gguf"), hostile().get("general.alignment is STRING"));
    assertThatThrownBy(() -> new LlamaEngine(LlamaOptions.defaults()).load(file))
        .isExactlyInstanceOf(ModelLoadException.class)
        .hasMessage("not a valid GGUF file: metadata key general.alignment is STRING (expected: UINT32)");
  }
}
