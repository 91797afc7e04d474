package dev.kiln.training.djl;

import ai.djl.training.loss.Loss;
import dev.kiln.training.spec.LossSpec;

/** Kiln's losses as DJL losses over logits (the plan's head is fused into the loss). */
final class Losses {
  private Losses() {}

  static Loss of(LossSpec spec) {
    return switch (spec) {
      // DJL's L2 loss halves the square by default; weight 1 makes it the mean squared error.
      case MSE -> Loss.l2Loss("mse", 1f);
      case SPARSE_CATEGORICAL_CROSSENTROPY -> new SparseCrossEntropy("loss");
      case CATEGORICAL_CROSSENTROPY -> Loss.softmaxCrossEntropyLoss("loss", 1f, -1, false, true);
      case BINARY_CROSSENTROPY -> Loss.sigmoidBinaryCrossEntropyLoss("loss", 1f, false);
    };
  }
}
