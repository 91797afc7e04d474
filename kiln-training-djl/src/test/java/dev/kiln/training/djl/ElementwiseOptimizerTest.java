package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import dev.kiln.training.spec.OptimizerSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kiln's hand-written Adagrad and RMSprop, step by step against {@code torch.optim}: the expected weights below were
 * computed once with Debian 12's python3-torch (1.13.1+dfsg) from the same start and gradients, in float32, by
 *
 * <pre>
 * p = torch.nn.Parameter(torch.tensor(START)); opt = torch.optim.X([p], ...)
 * for g in GRADS: p.grad = torch.tensor(g); opt.step(); print(p.tolist())
 * </pre>
 *
 * Each case goes through {@link Optimizers#of}, so the spec's names (rho, momentum, weight decay, epsilon) are checked
 * to reach the formula as well.
 */
class ElementwiseOptimizerTest {
  static final float[] START = {0.5f, -1.0f, 2.0f, 0.0f, 0.25f};
  static final float[][] GRADS = {
    {0.1f, -0.2f, 0.3f, 0.0f, 1.0f},
    {-0.5f, 0.4f, 0.0f, 1.0f, -1.0f},
    {0.2f, 0.2f, -0.1f, -0.3f, 0.5f},
    {1.5f, -0.05f, 0.7f, 0.01f, 0.0f},
    {-0.3f, 0.6f, 0.25f, -0.8f, 0.1f}
  };

  @BeforeAll
  static void loadEngine() {
    assertThat(EngineFixture.ENGINE.name()).startsWith("djl-pytorch");
  }

  static OptimizerSpec spec(OptimizerSpec.Name name, double lr, double momentum, double decay, double eps, double rho) {
    return new OptimizerSpec(name, lr, momentum, decay, null, null, eps, rho);
  }

  /** Runs the optimizer over {@link #GRADS} and compares the weights after every step. */
  static void matchesTorch(OptimizerSpec spec, float[][] expected) {
    Optimizer optimizer = Optimizers.of(spec);
    assertThat(optimizer).isInstanceOf(ElementwiseOptimizer.class);
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray weight = m.create(START);
      for (int step = 0; step < GRADS.length; step++) {
        optimizer.update("w", weight, m.create(GRADS[step]));
        float[] got = weight.toFloatArray();
        for (int i = 0; i < got.length; i++) {
          assertThat(got[i])
              .as("%s step %d weight %d", spec.name(), step + 1, i)
              .isCloseTo(expected[step][i], within(1e-6f));
        }
      }
    }
  }

  @Test
  void adagradMatchesTorch() {
    // torch.optim.Adagrad(lr=0.1, eps=1e-7)
    matchesTorch(
        spec(OptimizerSpec.Name.ADAGRAD, 0.1, 0, 0, 1e-7, 0.9),
        new float[][] {
          {4.000000954e-01f, -9.000000358e-01f, 1.899999976e+00f, 0.000000000e+00f, 1.500000060e-01f},
          {4.980581403e-01f, -9.894427657e-01f, 1.899999976e+00f, -9.999998659e-02f, 2.207106799e-01f},
          {4.615433216e-01f, -1.030267596e+00f, 1.931622744e+00f, -7.126519829e-02f, 1.873773485e-01f},
          {3.676096797e-01f, -1.020114183e+00f, 1.840490580e+00f, -7.222297788e-02f, 1.873773485e-01f},
          {3.860734105e-01f, -1.097412944e+00f, 1.809541345e+00f, -1.140186191e-02f, 1.807254404e-01f},
        });
  }

  @Test
  void adagradWithWeightDecayMatchesTorch() {
    // torch.optim.Adagrad(lr=0.1, eps=1e-7, weight_decay=0.05)
    matchesTorch(
        spec(OptimizerSpec.Name.ADAGRAD, 0.1, 0, 0.05, 1e-7, 0.9),
        new float[][] {
          {4.000000954e-01f, -9.000000358e-01f, 1.899999976e+00f, 0.000000000e+00f, 1.500000060e-01f},
          {4.967724979e-01f, -9.817605615e-01f, 1.876892686e+00f, -9.999998659e-02f, 2.200018466e-01f},
          {4.554865956e-01f, -1.014590859e+00f, 1.878389716e+00f, -7.082673907e-02f, 1.860955358e-01f},
          {3.613269329e-01f, -9.931854606e-01f, 1.789591908e+00f, -7.144449651e-02f, 1.854781508e-01f},
          {3.785010874e-01f, -1.069188833e+00f, 1.754094720e+00f, -1.050474495e-02f, 1.782466322e-01f},
        });
  }

  @Test
  void rmspropMatchesTorch() {
    // torch.optim.RMSprop(lr=0.01, alpha=0.9, eps=1e-7)
    matchesTorch(
        spec(OptimizerSpec.Name.RMSPROP, 0.01, 0, 0, 1e-7, 0.9),
        new float[][] {
          {4.683773220e-01f, -9.683772922e-01f, 1.968377233e+00f, 0.000000000e+00f, 2.183772326e-01f},
          {4.994457960e-01f, -9.969487190e-01f, 1.968377233e+00f, -3.162276745e-02f, 2.413187921e-01f},
          {4.873434603e-01f, -1.010544419e+00f, 1.979360223e+00f, -2.208814397e-02f, 2.300249487e-01f},
          {4.573181868e-01f, -1.006984472e+00f, 1.949900866e+00f, -2.242313698e-02f, 2.300249487e-01f},
          {4.635249376e-01f, -1.032863498e+00f, 1.939435482e+00f, -1.355841756e-03f, 2.275230736e-01f},
        });
  }

  @Test
  void rmspropWithRhoMomentumAndWeightDecayMatchesTorch() {
    // torch.optim.RMSprop(lr=0.01, alpha=0.8, eps=1e-6, momentum=0.9, weight_decay=0.05)
    matchesTorch(
        spec(OptimizerSpec.Name.RMSPROP, 0.01, 0.9, 0.05, 1e-6, 0.8),
        new float[][] {
          {4.776397347e-01f, -9.776394963e-01f, 1.977639437e+00f, 0.000000000e+00f, 2.276393771e-01f},
          {4.792839289e-01f, -9.763756990e-01f, 1.951558232e+00f, -2.236063033e-02f, 2.240032405e-01f},
          {4.705732465e-01f, -9.836506248e-01f, 1.928248286e+00f, -3.535072505e-02f, 2.119619697e-01f},
          {4.412492812e-01f, -9.842500687e-01f, 1.886317730e+00f, -4.725987837e-02f, 2.009215802e-01f},
          {4.191579521e-01f, -1.003917098e+00f, 1.839354992e+00f, -4.169382900e-02f, 1.886387914e-01f},
        });
  }

  @Test
  void updatesAWeightThatRequiresGradWhileTheThreadRecords() {
    // A job thread may still be recording (libtorch's default on a new thread); the update must not be recorded.
    Optimizer optimizer = Optimizers.of(spec(OptimizerSpec.Name.RMSPROP, 0.01, 0.9, 0.05, 1e-6, 0.8));
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        GradMode recording = GradMode.recording()) {
      NDArray weight = m.create(START);
      weight.setRequiresGradient(true);
      optimizer.update("w", weight, m.create(GRADS[0]));
      assertThat(weight.toFloatArray()[0]).isCloseTo(4.776397347e-01f, within(1e-6f));
    }
  }
}
