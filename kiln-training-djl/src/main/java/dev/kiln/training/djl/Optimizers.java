package dev.kiln.training.djl;

import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import dev.kiln.training.spec.OptimizerSpec;
import java.util.Optional;

/** Kiln's optimizer specs as DJL optimizers (libtorch does the updates). */
final class Optimizers {
  private Optimizers() {}

  /**
   * The update that replaces DJL's {@code Trainer.step()} for this spec, where Kiln has a faster one: Adam as {@link
   * DirectAdam}. Empty for the others, which step through the trainer's {@link #of} optimizer.
   */
  static Optional<Runnable> direct(OptimizerSpec spec, PairList<String, Parameter> parameters) {
    if (spec.name() != OptimizerSpec.Name.ADAM) {
      return Optional.empty();
    }
    DirectAdam adam =
        new DirectAdam(
            parameters,
            spec.learningRate().floatValue(),
            spec.beta1().floatValue(),
            spec.beta2().floatValue(),
            spec.epsilon().floatValue(),
            spec.weightDecay().floatValue());
    return Optional.of(adam::step);
  }

  static Optimizer of(OptimizerSpec spec) {
    float lr = spec.learningRate().floatValue();
    float wd = spec.weightDecay().floatValue();
    return switch (spec.name()) {
      case SGD ->
          Optimizer.sgd()
              .setLearningRateTracker(Tracker.fixed(lr))
              .optMomentum(spec.momentum().floatValue())
              .optWeightDecays(wd)
              .build();
      case ADAGRAD ->
          new ElementwiseOptimizer(ElementwiseOptimizer.Rule.ADAGRAD, lr, wd, spec.epsilon().floatValue(), 0f, 0f);
      case RMSPROP ->
          new ElementwiseOptimizer(
              ElementwiseOptimizer.Rule.RMSPROP,
              lr,
              wd,
              spec.epsilon().floatValue(),
              spec.rho().floatValue(),
              spec.momentum().floatValue());
      case ADAM ->
          Optimizer.adam()
              .optLearningRateTracker(Tracker.fixed(lr))
              .optBeta1(spec.beta1().floatValue())
              .optBeta2(spec.beta2().floatValue())
              .optEpsilon(spec.epsilon().floatValue())
              .optWeightDecays(wd)
              .build();
    };
  }
}
