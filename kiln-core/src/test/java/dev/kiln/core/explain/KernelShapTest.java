package dev.kiln.core.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.error.KilnException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The estimator alone, on plain Java functions: sampled coalitions, and images with channels last. */
class KernelShapTest {
  @Test
  void sampledCoalitionsStillRecoverALinearModelExactly() {
    int m = 16; // 2^16 - 2 coalitions: more than the budget, so they are drawn
    SplittableRandom r = new SplittableRandom(3);
    double[] w = r.doubles(m, -2, 2).toArray();
    double[] x = r.doubles(m, -1, 1).toArray();
    double[][] background = {r.doubles(m, -1, 1).toArray(), r.doubles(m, -1, 1).toArray()};
    BatchModel linear =
        rows -> {
          double[][] out = new double[rows.length][];
          for (int i = 0; i < rows.length; i++) {
            double y = 0.5;
            for (int j = 0; j < m; j++) {
              y += w[j] * rows[i][j];
            }
            out[i] = new double[] {y, -y};
          }
          return out;
        };
    List<Attribution> a = KernelShap.explain(x, background, 300, new int[] {1}, linear);
    assertThat(a).hasSize(1);
    assertThat(a.get(0).target()).isEqualTo(1);
    double[] phi = a.get(0).values();
    for (int j = 0; j < m; j++) {
      double mean = (background[0][j] + background[1][j]) / 2;
      assertThat(phi[j]).isCloseTo(-w[j] * (x[j] - mean), within(1e-6));
    }
    // The same request gives the same answer: the draw is seeded.
    assertThat(KernelShap.explain(x, background, 300, new int[] {1}, linear).get(0).values()).containsExactly(phi);
  }

  @Test
  void tooManyFeaturesOrCellsAreRefusedBeforeAnyRowIsBuilt() {
    BatchModel never =
        rows -> {
          throw new AssertionError("the model must not be called");
        };
    assertThatThrownBy(
            () -> KernelShap.explain(new double[600], new double[][] {new double[600]}, 10, new int[0], never))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("at most 512");
    double[][] background = new double[100][500];
    assertThatThrownBy(() -> KernelShap.explain(new double[500], background, 2048, new int[0], never))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("over the bound");
  }

  @Test
  void occlusionReadsChannelsLastImages() {
    long[] shape = {1, 6, 6, 3}; // NHWC: the score is channel 2 of pixel (5, 5)
    double[] image = new double[6 * 6 * 3];
    Arrays.fill(image, 1);
    BatchModel model =
        rows -> Arrays.stream(rows).map(x -> new double[] {x[(5 * 6 + 5) * 3 + 2]}).toArray(double[][]::new);
    Attribution a = Occlusion.explain(image, shape, new double[image.length], 3, 100, new int[0], model).get(0);
    double[] map = a.values();
    assertThat(map[(5 * 6 + 5) * 3]).isEqualTo(1.0); // every channel of the occluded patch
    assertThat(map[(3 * 6 + 3) * 3 + 1]).isEqualTo(1.0);
    assertThat(map[0]).isEqualTo(0.0);
    assertThat(a.prediction()).isEqualTo(1.0);
    assertThat(a.baseValue()).isEqualTo(0.0);
  }
}
