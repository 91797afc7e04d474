package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {
  @Test
  void sameSeedGivesTheSameSplitAndEveryRowOnce() {
    Split a = Split.of(100, null, 0.2, 0.1, 7);
    Split b = Split.of(100, null, 0.2, 0.1, 7);
    assertThat(a.train()).isEqualTo(b.train());
    assertThat(a.validation()).hasSize(20).isEqualTo(b.validation());
    assertThat(a.test()).hasSize(10).isEqualTo(b.test());
    int[] all =
        IntStream.concat(
                IntStream.concat(Arrays.stream(a.train()), Arrays.stream(a.validation())), Arrays.stream(a.test()))
            .sorted()
            .toArray();
    assertThat(all).isEqualTo(IntStream.range(0, 100).toArray());
    assertThat(Split.of(100, null, 0.2, 0.1, 8).train()).isNotEqualTo(a.train());
  }

  @Test
  void stratifiedSplitKeepsClassProportions() {
    int[] strata = IntStream.range(0, 100).map(i -> i < 80 ? 0 : 1).toArray();
    Split s = Split.of(100, strata, 0.2, 0.1, 3);
    assertThat(Arrays.stream(s.validation()).filter(i -> strata[i] == 1).count()).isEqualTo(4);
    assertThat(Arrays.stream(s.test()).filter(i -> strata[i] == 1).count()).isEqualTo(2);
  }

  @Test
  void invalidFractionsAreRefused() {
    assertThatThrownBy(() -> Split.of(10, null, -0.1, 0, 1))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("expected: each >= 0, together < 1");
    assertThatThrownBy(() -> Split.of(10, null, 0.5, 0.5, 1)).hasMessageContaining("together < 1");
    assertThatThrownBy(() -> Split.of(10, null, Double.NaN, 0, 1)).hasMessageContaining("split fractions");
  }

  @Test
  void requestedSplitThatWouldBeEmptyIsAnError() {
    assertThatThrownBy(() -> Split.of(10, null, 0.01, 0, 1))
        .hasMessage("split: validation fraction 0.01 of 10 rows gives no rows; use more data or a larger fraction");
    assertThatThrownBy(() -> Split.of(2, null, 0.5, 0.4, 1)).hasMessage("split: 2 rows leave none for training");
    assertThat(Split.of(10, null, 0, 0, 1).train()).hasSize(10);
  }
}
