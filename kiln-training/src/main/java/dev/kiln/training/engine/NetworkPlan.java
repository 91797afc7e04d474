package dev.kiln.training.engine;

import dev.kiln.training.data.Task;
import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.LayerSpec;
import dev.kiln.training.spec.LossSpec;
import dev.kiln.training.spec.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec as both the engine and the ONNX exporter build it. The output activation is split off as the {@link Head}:
 * engines train on logits with a numerically stable loss (softmax or sigmoid fused into cross-entropy, as Keras does
 * internally), and the head is applied only to predictions and in the exported graph. Linear and logistic regression
 * become one dense layer, so every model is a layer list.
 *
 * @param layers the layers to build, in spec order and with spec indices (the head's activation removed)
 */
public record NetworkPlan(List<LayerSpec> layers, Head head, LossSpec loss) {
  /** What turns the last layer's output into predictions. */
  public enum Head {
    /** Class probabilities from logits. */
    SOFTMAX,
    /** One logit to the positive class's probability. */
    SIGMOID,
    /** The output is the prediction (regression). */
    NONE
  }

  public NetworkPlan {
    layers = List.copyOf(layers);
  }

  public static NetworkPlan of(ModelSpec spec, Task task) {
    LossSpec loss = spec.loss() != null ? spec.loss() : defaultLoss(spec, task);
    return switch (spec.type()) {
      case LINEAR_REGRESSION -> new NetworkPlan(List.of(dense(1)), Head.NONE, loss);
      case LOGISTIC_REGRESSION, NGRAM_CLASSIFIER ->
          loss == LossSpec.BINARY_CROSSENTROPY
              ? new NetworkPlan(List.of(dense(1)), Head.SIGMOID, loss)
              : new NetworkPlan(List.of(dense(task.classCount())), Head.SOFTMAX, loss);
      case SEQUENTIAL -> sequential(spec.layers(), loss);
    };
  }

  /** The loss a spec without one gets (what {@code compile} would most likely have been given). */
  public static LossSpec defaultLoss(ModelSpec spec, Task task) {
    if (!task.classification()) {
      return LossSpec.MSE;
    }
    if (spec.type().logistic() && task.classCount() == 2) {
      return LossSpec.BINARY_CROSSENTROPY;
    }
    return LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY;
  }

  private static NetworkPlan sequential(List<LayerSpec> specLayers, LossSpec loss) {
    List<LayerSpec> layers = new ArrayList<>(specLayers);
    if (loss == LossSpec.MSE) {
      return new NetworkPlan(layers, Head.NONE, loss);
    }
    Head head = loss == LossSpec.BINARY_CROSSENTROPY ? Head.SIGMOID : Head.SOFTMAX;
    Activation fused = head == Head.SIGMOID ? Activation.SIGMOID : Activation.SOFTMAX;
    // The last layer's activation, if it is the head's, is dropped: the loss applies it to logits. Any other
    // final activation stays in the network and its output is taken as the logits.
    int last = layers.size() - 1;
    if (last >= 0) {
      switch (layers.get(last)) {
        case LayerSpec.Dense d when d.activation() == fused ->
            layers.set(last, new LayerSpec.Dense(d.units(), Activation.LINEAR, d.useBias()));
        case LayerSpec.ActivationLayer a when a.activation() == fused -> layers.remove(last);
        default -> {}
      }
    }
    return new NetworkPlan(layers, head, loss);
  }

  private static LayerSpec.Dense dense(int units) {
    return new LayerSpec.Dense(units, Activation.LINEAR, true);
  }
}
