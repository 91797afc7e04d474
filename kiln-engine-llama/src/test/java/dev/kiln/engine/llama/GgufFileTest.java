package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.engine.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
    assertThat(gguf.get("names")).contains(2L);
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
}
