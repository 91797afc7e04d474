package dev.kiln.training.spec;

import dev.kiln.training.data.Task;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks a spec against the data it will train on, before any engine sees it, and resolves its defaults. Failures are
 * {@link SpecException}s naming the layer or key at fault; layers are counted from 1.
 *
 * <p>Output rules. Classification with k classes ends in {@code [k]} with softmax and a (sparse) categorical
 * cross-entropy, or, for k = 2 only, in {@code [1]} with sigmoid and binary cross-entropy. Regression ends in {@code
 * [1]} with mse. The loss defaults to the one the output implies. Softmax is required rather than linear logits because
 * the spec has no {@code from_logits} switch: Keras's losses expect probabilities.
 *
 * <p>{@code linear_regression} and {@code logistic_regression} take tabular input {@code [features]} and no layers;
 * they stand for one dense layer ({@code [1]}, or {@code [1]} sigmoid for two classes with binary cross-entropy, else
 * {@code [k]} softmax).
 */
public final class SpecValidator {
  private SpecValidator() {}

  /**
   * @param inputShape one example's shape without the batch dimension: {@code [features]}, {@code [c, h, w]} or token
   *     ids {@code [steps]}
   */
  public static ResolvedSpec validate(ModelSpec spec, List<Integer> inputShape, Task task) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(inputShape, "inputShape");
    Objects.requireNonNull(task, "task");
    if (inputShape.isEmpty() || inputShape.stream().anyMatch(d -> d == null || d < 1)) {
      throw new SpecException("input shape must be non-empty sizes >= 1, got " + inputShape);
    }
    if (task.classification() && task.classCount() < 2) {
      throw new SpecException("classification needs at least 2 classes, got " + task.classCount());
    }
    HyperparameterRules.checkOptimizer(spec.optimizer());
    TrainingSettings settings = validateSettings(spec.training(), task);
    List<LayerSpec> layers =
        switch (spec.type()) {
          case SEQUENTIAL -> spec.layers();
          case LINEAR_REGRESSION, LOGISTIC_REGRESSION -> List.of(classicLayer(spec, inputShape, task));
        };
    if (layers.isEmpty()) {
      throw new SpecException("a sequential model needs at least one layer");
    }
    ModelSummary summary = ModelSummary.of(inputShape, layers);
    LossSpec loss = checkOutput(layers, summary.outputShape(), spec.loss(), task);
    checkSolver(spec);
    ModelSpec effective =
        new ModelSpec(spec.type(), spec.layers(), spec.optimizer(), loss, settings, spec.solver(), spec.l2());
    return new ResolvedSpec(effective, task, inputShape, layers, summary);
  }

  /**
   * Resolves {@code settings} over {@link TrainingSettings#DEFAULTS} and checks the result; for overrides given with a
   * job request ({@code request.over(spec.training())}) as much as for a spec's own.
   */
  public static TrainingSettings validateSettings(TrainingSettings settings, Task task) {
    TrainingSettings resolved = settings.over(TrainingSettings.DEFAULTS);
    HyperparameterRules.checkTraining(resolved, task);
    return resolved;
  }

  private static void checkSolver(ModelSpec spec) {
    if (spec.type() == ModelType.SEQUENTIAL && (spec.solver() != null || spec.l2() != null)) {
      throw new SpecException(
          (spec.solver() != null ? "solver" : "l2")
              + " is for linear_regression and logistic_regression; a sequential model uses its optimizer"
              + " (weight_decay for L2)");
    }
    if (spec.l2() != null && !(spec.l2() >= 0 && Double.isFinite(spec.l2()))) {
      throw new SpecException("l2 must be a finite number >= 0, got " + spec.l2());
    }
  }

  private static LayerSpec classicLayer(ModelSpec spec, List<Integer> input, Task task) {
    String type = spec.type().name().toLowerCase(Locale.ROOT);
    boolean linear = spec.type() == ModelType.LINEAR_REGRESSION;
    if (linear == task.classification()) {
      throw new SpecException(
          type
              + " needs a "
              + (linear ? "regression" : "classification")
              + " task; use "
              + (linear ? "logistic_regression" : "linear_regression")
              + " or a sequential model");
    }
    if (!spec.layers().isEmpty()) {
      throw new SpecException(type + " takes no layers; use type: sequential to give layers");
    }
    if (input.size() != 1) {
      throw new SpecException(
          type + " takes tabular input [features], got " + input + "; use a sequential model with a flatten");
    }
    if (linear) {
      return new LayerSpec.Dense(1, Activation.LINEAR, true);
    }
    // Two classes default to one sigmoid unit; an explicit (sparse) categorical loss asks for two softmax units.
    boolean binary = task.classCount() == 2 && (spec.loss() == null || spec.loss() == LossSpec.BINARY_CROSSENTROPY);
    return binary
        ? new LayerSpec.Dense(1, Activation.SIGMOID, true)
        : new LayerSpec.Dense(task.classCount(), Activation.SOFTMAX, true);
  }

  /** Checks the model's output against the task and loss; returns the loss, defaulted if absent. */
  private static LossSpec checkOutput(List<LayerSpec> layers, List<Integer> out, LossSpec loss, Task task) {
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
        if (activation != Activation.SIGMOID) {
          throw new SpecException("loss binary_crossentropy needs a sigmoid output; the model " + ends);
        }
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
        if (activation != Activation.SOFTMAX) {
          throw new SpecException("loss " + lossName(resolved) + " needs a softmax output; the model " + ends);
        }
      }
    }
    return resolved;
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
