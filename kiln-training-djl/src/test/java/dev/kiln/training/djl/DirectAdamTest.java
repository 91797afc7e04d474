package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.PairList;
import dev.kiln.training.spec.OptimizerSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kiln's Adam against DJL's, which it replaced: the same start and gradients through both, the weights compared after
 * every step. The gradients reach Kiln's through a real backward pass ({@code sum(w * g)} has gradient {@code g}), as
 * they do in training.
 */
class DirectAdamTest {
  @BeforeAll
  static void loadEngine() {
    assertThat(EngineFixture.ENGINE.name()).startsWith("djl-pytorch");
  }

  static OptimizerSpec adam(double lr, double decay) {
    return new OptimizerSpec(OptimizerSpec.Name.ADAM, lr, null, decay, 0.9, 0.999, 1e-7, null);
  }

  static void matchesDjl(OptimizerSpec spec) {
    Optimizer djl = Optimizers.of(spec);
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        GradMode off = GradMode.off()) {
      NDArray reference = m.create(ElementwiseOptimizerTest.START);
      NDArray weight = m.create(ElementwiseOptimizerTest.START);
      weight.setRequiresGradient(true);
      PairList<String, Parameter> parameters = new PairList<>();
      parameters.add("w", Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optArray(weight).build());
      Runnable direct = Optimizers.direct(spec, parameters).orElseThrow();
      for (int step = 0; step < ElementwiseOptimizerTest.GRADS.length; step++) {
        NDArray grad = m.create(ElementwiseOptimizerTest.GRADS[step]);
        djl.update("w", reference, grad);
        try (GradMode recording = GradMode.recording()) {
          recording.backward(weight.mul(grad).sum());
        }
        direct.run();
        float[] expected = reference.toFloatArray();
        float[] got = weight.toFloatArray();
        for (int i = 0; i < got.length; i++) {
          assertThat(got[i]).as("step %d weight %d", step + 1, i).isCloseTo(expected[i], within(1e-7f));
        }
        assertThat(weight.getGradient().toFloatArray()).as("gradient after step %d", step + 1).containsOnly(0f);
      }
    }
  }

  @Test
  void adamMatchesDjlStepByStep() {
    matchesDjl(adam(0.1, 0));
  }

  @Test
  void adamWithWeightDecayMatchesDjlStepByStep() {
    matchesDjl(adam(0.05, 0.01));
  }

  @Test
  void onlyAdamHasADirectUpdate() {
    PairList<String, Parameter> none = new PairList<>();
    assertThat(
            Optimizers.direct(new OptimizerSpec(OptimizerSpec.Name.SGD, 0.1, 0.0, 0.0, null, null, null, null), none))
        .isEmpty();
  }
}
