package dev.kiln.training.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSummaryTest {
  @Test
  void countsParametersPerLayerLikeKerasWithPyTorchRecurrentBiases() {
    ModelSummary s =
        ModelSummary.of(
            List.of(20),
            List.of(
                new LayerSpec.Embedding(100, 8), // 100 * 8 = 800
                new LayerSpec.Lstm(4, true), // 4 * (4 * (8 + 4) + 2 * 4) = 224
                new LayerSpec.Gru(3, false), // 3 * (3 * (4 + 3) + 2 * 3) = 81
                new LayerSpec.BatchNormalization(null, null), // 4 * 3 = 12, 6 of them running stats
                new LayerSpec.Dense(2, Activation.SOFTMAX, false))); // 3 * 2 = 6, no bias

    assertThat(s.rows()).extracting(ModelSummary.Row::params).containsExactly(800L, 224L, 81L, 12L, 6L);
    assertThat(s.totalParams()).isEqualTo(1123);
    assertThat(s.trainableParams()).isEqualTo(1117);
  }

  @Test
  void convolutionCountsOneKernelPerInputChannelAndABiasPerFilter() {
    ModelSummary s =
        ModelSummary.of(
            List.of(3, 10, 10),
            List.of(
                new LayerSpec.Conv2D(16, List.of(3), null, null, null), // 16 * 3 * 3 * 3 + 16 = 448
                new LayerSpec.MaxPooling2D(null, null),
                new LayerSpec.Flatten(),
                new LayerSpec.Dense(5, null, null))); // 16 * 4 * 4 * 5 + 5 = 1285

    assertThat(s.rows()).extracting(ModelSummary.Row::params).containsExactly(448L, 0L, 0L, 1285L);
    assertThat(s.outputShape()).containsExactly(5);
  }

  @Test
  void rendersOneLinePerLayerAndTheTotals() {
    String text = ModelSummary.of(List.of(4), List.of(new LayerSpec.Dense(3, null, null))).render();

    assertThat(text).contains("input", "[4]", "dense", "[3]", "15", "total params: 15 (trainable: 15");
    assertThat(text.lines()).hasSize(4);
  }
}
