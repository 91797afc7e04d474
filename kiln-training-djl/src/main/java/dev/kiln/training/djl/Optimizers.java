package dev.kiln.training.djl;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.kiln.training.spec.OptimizerSpec;

/** Kiln's optimizer specs as DJL optimizers (libtorch does the updates). */
final class Optimizers {
  private Optimizers() {}

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
