package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.model.ModelState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCountsTest {
  private static RepositoryEntry row(String name, String version, ModelState state, String reason) {
    return new RepositoryEntry(name, version, state, reason);
  }

  @Test
  void eachModelCountsOnceByItsBestVersion() {
    List<RepositoryEntry> index =
        List.of(
            row("a", "1", ModelState.READY, ""),
            row("a", "2", ModelState.UNAVAILABLE, "version 2: not an ONNX file"), // a still serves version 1
            row("b", "3", ModelState.LOADING, ""),
            row("c", "1", ModelState.UNAVAILABLE, "input 'x': shape [0] (expected: sizes >= 1)"),
            row("d", "", ModelState.UNAVAILABLE, "unloaded"),
            row("e", "", ModelState.UNAVAILABLE, "not loaded"),
            row("f", "2", ModelState.UNLOADING, "draining"));

    assertThat(ModelCounts.of(index, m -> true)).isEqualTo(new ModelCounts(1, 2, 1, 2));
    assertThat(ModelCounts.of(index, m -> m.equals("c"))).isEqualTo(new ModelCounts(0, 0, 1, 0));
    assertThat(ModelCounts.of(index, m -> false)).isEqualTo(new ModelCounts(0, 0, 0, 0));
  }
}
