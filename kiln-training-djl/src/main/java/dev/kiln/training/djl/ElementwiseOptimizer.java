package dev.kiln.training.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AdaGrad and RMSprop written with tensor operations. DJL's PyTorch engine implements only the SGD and Adam update
 * kernels ({@code adagradUpdate} and {@code rmspropUpdate} throw "not implemented"), so these two are expressed as the
 * element-wise formulas of {@code torch.optim.Adagrad} and {@code torch.optim.RMSprop}; libtorch still does the
 * arithmetic.
 */
final class ElementwiseOptimizer extends Optimizer {
  enum Rule {
    ADAGRAD,
    RMSPROP
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }

  private final Rule rule;
  private final float learningRate;
  private final float epsilon;
  private final float rho;
  private final float momentum;
  private final Map<String, Map<Device, NDArray>> squares = new ConcurrentHashMap<>();
  private final Map<String, Map<Device, NDArray>> velocities = new ConcurrentHashMap<>();

  ElementwiseOptimizer(Rule rule, float learningRate, float weightDecay, float epsilon, float rho, float momentum) {
    super(new Builder().optWeightDecays(weightDecay));
    this.rule = rule;
    this.learningRate = learningRate;
    this.epsilon = epsilon;
    this.rho = rho;
    this.momentum = momentum;
  }

  @Override
  public void update(String id, NDArray weight, NDArray grad) {
    updateCount(id);
    NDArray square = withDefaultState(squares, id, weight.getDevice(), k -> weight.zerosLike());
    // Intermediate results live in a manager closed after the step, so nothing accumulates per step. The update
    // is not part of the graph (libtorch's own SGD and Adam kernels run under a no-grad guard too).
    try (GradMode off = GradMode.off();
        NDManager tmp = weight.getManager().newSubManager()) {
      NDArray g = grad.mul(rescaleGrad);
      g.attach(tmp);
      float decay = getWeightDecay();
      if (decay > 0) {
        NDArray penalty = weight.mul(decay);
        penalty.attach(tmp);
        g = g.add(penalty);
      }
      NDArray g2 = g.square();
      switch (rule) {
        case ADAGRAD -> square.addi(g2);
        case RMSPROP -> square.muli(rho).addi(g2.mul(1 - rho));
      }
      NDArray denominator = square.sqrt();
      denominator.attach(tmp);
      NDArray scaled = g.div(denominator.add(epsilon));
      if (rule == Rule.RMSPROP && momentum > 0) {
        NDArray v = withDefaultState(velocities, id, weight.getDevice(), k -> weight.zerosLike());
        v.muli(momentum).addi(scaled);
        scaled = v.mul(1);
        scaled.attach(tmp);
      }
      weight.subi(scaled.mul(learningRate));
    }
  }
}
