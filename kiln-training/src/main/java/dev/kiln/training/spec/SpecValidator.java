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
 * [1]} with mse. The loss defaults to the one the output implies. Cross-entropy also takes logits, a final linear layer
 * (PyTorch's {@code CrossEntropyLoss}, Keras's {@code from_logits=True}); see {@link OutputRules}.
 *
 * <p>Keras forms: a channels-last {@code input_shape} or reshape is read channels-first ({@link InputLayout}); {@code
 * metrics} are checked and pick what early stopping monitors when it names nothing.
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
    HyperparameterRules.checkMetrics(spec.metrics(), task);
    TrainingSettings settings = validateSettings(spec, spec.training(), task);
    ModelSpec input = InputLayout.resolve(spec, inputShape);
    List<LayerSpec> layers =
        switch (spec.type()) {
          case SEQUENTIAL -> input.layers();
          case LINEAR_REGRESSION, LOGISTIC_REGRESSION, NGRAM_CLASSIFIER ->
              List.of(classicLayer(spec, inputShape, task));
        };
    if (layers.isEmpty()) {
      throw new SpecException("a sequential model needs at least one layer");
    }
    ModelSummary summary = ModelSummary.of(inputShape, layers);
    LossSpec loss = OutputRules.check(layers, summary.outputShape(), spec, task);
    checkSolver(spec);
    // Metrics by the names epochs report them under, so the stored spec says what the history holds.
    List<String> metrics = spec.metrics().stream().map(Metric::monitor).toList();
    ModelSpec effective = input.withLoss(loss).withTraining(settings).withMetrics(metrics);
    return new ResolvedSpec(effective, task, inputShape, layers, summary);
  }

  /**
   * Resolves {@code settings} over {@link TrainingSettings#DEFAULTS} and checks the result; for overrides given with a
   * job request ({@code request.over(spec.training())}) as much as for a spec's own.
   */
  public static TrainingSettings validateSettings(TrainingSettings settings, Task task) {
    return validateSettings(new ModelSpec(null, null, null, null, null), settings, task);
  }

  /**
   * As {@link #validateSettings(TrainingSettings, Task)}, with early stopping that names no monitor watching the spec's
   * first metric ({@code val_accuracy} for {@code metrics: [accuracy]}, without {@code val_} when nothing is held out
   * for validation), or {@code val_loss} when the spec lists none.
   */
  public static TrainingSettings validateSettings(ModelSpec spec, TrainingSettings settings, Task task) {
    TrainingSettings resolved = settings.over(TrainingSettings.DEFAULTS);
    EarlyStopping stopping = resolved.earlyStopping();
    if (stopping != null && stopping.monitor() == null) {
      String metric = spec.metrics().isEmpty() ? "loss" : Metric.monitor(spec.metrics().getFirst());
      String monitor = (resolved.validates() || spec.metrics().isEmpty() ? "val_" : "") + metric;
      resolved = resolved.withEarlyStopping(new EarlyStopping(monitor, stopping.patience(), stopping.minDelta()));
    } else if (stopping != null) {
      // Keras's spellings (val_mean_absolute_error, val_acc) monitor what epochs report (val_mae, val_accuracy).
      String monitor = Metric.monitor(stopping.monitor());
      resolved = resolved.withEarlyStopping(new EarlyStopping(monitor, stopping.patience(), stopping.minDelta()));
    }
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
}
