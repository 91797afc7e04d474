package dev.kiln.training.spec;

import dev.kiln.training.data.Task;
import java.util.List;

/**
 * What a model's output must be for its task and loss: {@code [k]} for k classes (softmax or logits), {@code [1]} for
 * two classes with binary cross-entropy (sigmoid or a logit), {@code [1]} for regression.
 */
final class OutputRules {
  private OutputRules() {}

  /** Checks the model's output against the task and loss; returns the loss, defaulted if absent. */
  static LossSpec check(List<LayerSpec> layers, List<Integer> out, ModelSpec spec, Task task) {
    LossSpec loss = spec.loss();
    String last = ShapeInference.name(layers.size(), layers.getLast());
    Activation activation = outputActivation(layers);
    String ends = "ends in " + (activation == null ? last : activationName(activation));
    if (!task.classification()) {
      if (!out.equals(List.of(1))) {
        throw new SpecException(
            last
                + ": outputs "
                + out
                + " but regression needs [1]; end with "
                + (out.size() > 1 ? "a flatten and " : "")
                + "a dense layer of 1 unit");
      }
      if (loss != null && loss != LossSpec.MSE) {
        throw new SpecException("loss " + lossName(loss) + " is for classification; regression uses mse");
      }
      if (activation == Activation.SOFTMAX) {
        throw new SpecException(last + ": softmax over a single output is always 1; use linear for regression");
      }
      if (spec.fromLogits()) {
        throw new SpecException("loss: from_logits applies to the cross-entropy losses, not mse");
      }
      return LossSpec.MSE;
    }
    int k = task.classCount();
    boolean single = out.equals(List.of(1)) && k == 2;
    if (!out.equals(List.of(k)) && !single) {
      throw new SpecException(
          last
              + ": outputs "
              + out
              + " but "
              + k
              + " classes need ["
              + k
              + "]"
              + (k == 2 ? " (or [1] with sigmoid)" : "")
              + (out.size() > 1 ? "; add a flatten before the last dense" : ""));
    }
    LossSpec resolved =
        loss != null ? loss : single ? LossSpec.BINARY_CROSSENTROPY : LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY;
    switch (resolved) {
      case MSE ->
          throw new SpecException(
              "loss mse is for regression; classification uses "
                  + (single ? "binary_crossentropy" : "sparse_categorical_crossentropy"));
      case BINARY_CROSSENTROPY -> {
        if (!single) {
          throw new SpecException(
              "loss binary_crossentropy needs 1 sigmoid output and 2 classes; "
                  + last
                  + " outputs "
                  + out
                  + " for "
                  + k
                  + " classes (use sparse_categorical_crossentropy)");
        }
        checkHead(Activation.SIGMOID, activation, spec.fromLogits(), resolved, ends);
      }
      case SPARSE_CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY -> {
        if (single) {
          throw new SpecException(
              "loss "
                  + lossName(resolved)
                  + " needs one output per class, [2]; "
                  + last
                  + " outputs [1] (use binary_crossentropy with sigmoid)");
        }
        checkHead(Activation.SOFTMAX, activation, spec.fromLogits(), resolved, ends);
      }
    }
    return resolved;
  }

  /**
   * A cross-entropy loss takes the head's probabilities ({@code head} as the output activation) or, with {@code
   * from_logits: true}, logits (no activation, as PyTorch's {@code CrossEntropyLoss} takes them). Either way the engine
   * trains on logits and the exported model ends in {@code head} (see {@code NetworkPlan}), so served outputs are
   * probabilities. A linear output without {@code from_logits} is refused, as Keras would silently misread it as
   * probabilities; {@code from_logits} with the head already there would apply it twice.
   */
  private static void checkHead(
      Activation head, Activation activation, boolean fromLogits, LossSpec loss, String ends) {
    String name = "loss " + lossName(loss);
    if (!fromLogits) {
      if (activation != head) {
        throw new SpecException(name + " needs a " + activationName(head) + " output; the model " + ends);
      }
      return;
    }
    if (activation == head) {
      throw new SpecException(
          name
              + " has from_logits: true but the model "
              + ends
              + "; drop the "
              + activationName(head)
              + " (the exported model appends it)");
    }
    if (activation != null && activation != Activation.LINEAR) {
      throw new SpecException(
          name + " with from_logits: true needs logits, a last layer without activation; the model " + ends);
    }
  }

  /**
   * The activation the model's output goes through last; dropout, flatten and reshape pass values through unchanged, so
   * they are looked past. Null when the last value-changing layer has no activation of its own.
   */
  private static Activation outputActivation(List<LayerSpec> layers) {
    for (LayerSpec layer : layers.reversed()) {
      switch (layer) {
        case LayerSpec.Dense d -> {
          return d.activation();
        }
        case LayerSpec.Conv2D c -> {
          return c.activation();
        }
        case LayerSpec.ActivationLayer a -> {
          return a.activation();
        }
        case LayerSpec.Dropout d -> {}
        case LayerSpec.Flatten f -> {}
        case LayerSpec.Reshape r -> {}
        default -> {
          return null;
        }
      }
    }
    return null;
  }

  private static String activationName(Activation a) {
    return SpecMappers.JSON.convertValue(a, String.class);
  }

  private static String lossName(LossSpec loss) {
    return SpecMappers.JSON.convertValue(loss, String.class);
  }
}
