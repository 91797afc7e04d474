package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import dev.kiln.training.data.Examples;
import dev.kiln.training.spec.LossSpec;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The training step's faster forms give the values of the ones they replaced. */
class StepOpsTest {
  @BeforeAll
  static void loadEngine() {
    assertThat(EngineFixture.ENGINE.name()).startsWith("djl-pytorch");
  }

  @Test
  void channelsLastBatchesHoldTheSameImages() {
    // Three images of 2 channels, 3 x 4 pixels, every value distinct.
    int rowSize = 2 * 3 * 4;
    float[] x = new float[3 * rowSize];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    Examples examples = new Examples(x, new float[] {0, 1, 2}, 3);
    List<Integer> shape = List.of(2, 3, 4);
    LossSpec loss = LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY;
    Batches planar = new Batches(examples, shape, false, loss, 3, false);
    Batches channelsLast = new Batches(examples, shape, false, loss, 3, true);
    int[] order = {2, 0, 1};
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray expected = planar.features(m, order, 0, 3);
      NDArray got = channelsLast.features(m, order, 0, 3);
      assertThat(got.getShape()).isEqualTo(new Shape(3, 2, 3, 4));
      assertThat(got.toFloatArray()).containsExactly(expected.toFloatArray());
      // A 1x1 convolution sums channels per pixel: the same in both layouts.
      NDArray weight = m.create(new float[] {1f, 10f}, new Shape(1, 2, 1, 1));
      NDArray bias = m.zeros(new Shape(1));
      assertThat(conv(got, weight, bias)).containsExactly(conv(expected, weight, bias));
    }
  }

  private static float[] conv(NDArray x, NDArray weight, NDArray bias) {
    return x.getNDArrayInternal()
        .convolution(x, weight, bias, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
        .singletonOrThrow()
        .toFloatArray();
  }

  @Test
  void sparseCrossEntropyEqualsDjlsSoftmaxCrossEntropy() {
    Random random = new Random(7);
    float[] logits = new float[32 * 10];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (3 * random.nextGaussian());
    }
    long[] ids = new long[32];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(10);
    }
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDList label = new NDList(m.create(ids));
      NDList prediction = new NDList(m.create(logits, new Shape(32, 10)));
      float djl = Loss.softmaxCrossEntropyLoss("loss", 1f, -1, true, true).evaluate(label, prediction).getFloat();
      float kiln = Losses.of(LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY).evaluate(label, prediction).getFloat();
      assertThat(kiln).isEqualTo(djl);
    }
  }
}
