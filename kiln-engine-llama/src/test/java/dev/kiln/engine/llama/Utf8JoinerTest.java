package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Utf8JoinerTest {
  @Test
  void aCharacterSplitOverTokensComesWithTheTokenThatCompletesIt() {
    byte[] kiln = "é🔥x".getBytes(StandardCharsets.UTF_8); // 2 + 4 + 1 bytes
    Utf8Joiner j = new Utf8Joiner();
    assertThat(j.add(Arrays.copyOfRange(kiln, 0, 1))).isEmpty();
    assertThat(j.add(Arrays.copyOfRange(kiln, 1, 3))).isEqualTo("é");
    assertThat(j.add(Arrays.copyOfRange(kiln, 3, 5))).isEmpty();
    assertThat(j.add(Arrays.copyOfRange(kiln, 5, 7))).isEqualTo("🔥x");
    assertThat(j.add("ab".getBytes(StandardCharsets.UTF_8))).isEqualTo("ab");
  }
}
