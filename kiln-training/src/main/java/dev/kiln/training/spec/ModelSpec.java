package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * A model and how to train it, as a user writes it in YAML or JSON (Keras's Sequential + compile + fit):
 *
 * <pre>
 * type: sequential
 * input_shape: [8, 8, 1]          # optional; channels-last or channels-first
 * layers:
 *   - {type: conv2d, filters: 16, kernel_size: 3, activation: relu}
 *   - {type: flatten}
 *   - {type: dense, units: 10}    # logits
 * optimizer: adam                 # or {name: adam, learning_rate: 0.001}
 * loss: {name: sparse_categorical_crossentropy, from_logits: true}
 * metrics: [accuracy]
 * </pre>
 *
 * Training settings given on the command line or in the job request ({@link TrainingSettings}) override the ones here.
 *
 * @param loss null for the loss the output implies
 * @param metrics Keras's {@code compile(metrics=...)}: what epochs report besides the loss, the first being what early
 *     stopping monitors when it names nothing; empty for the default (accuracy for classification)
 * @param inputShape the example shape the author declares (Keras's {@code Input(shape=...)}); empty to take the data's.
 *     {@link SpecValidator} reconciles it with the data
 * @param fromLogits the loss's {@code from_logits}: the model's last layer outputs logits
 * @param solver linear and logistic regression only: how they are fitted; {@link Solver#EXACT} when absent, {@link
 *     Solver#GRADIENT_DESCENT} when absent and an optimizer is given
 * @param l2 linear and logistic regression only: the L2 penalty on the weights (not the intercept), as scikit-learn
 *     puts it: linear minimises {@code sum((y - f(x))^2) + l2 * |w|^2} (Ridge's alpha, default 0), logistic {@code
 *     sum(log loss) + l2 / 2 * |w|^2} (1 / C, default 1 as LogisticRegression's C = 1; 0.1 for ngram_classifier)
 */
public record ModelSpec(
    ModelType type,
    List<LayerSpec> layers,
    OptimizerSpec optimizer,
    LossSpec loss,
    TrainingSettings training,
    List<String> metrics,
    List<Integer> inputShape,
    @JsonIgnore boolean fromLogits,
    Solver solver,
    Double l2) {
  public ModelSpec {
    type = type == null ? ModelType.SEQUENTIAL : type;
    // An optimizer written out for a linear or logistic regression asks for gradient descent, as such specs always
    // trained before the exact solver (and as a stored spec, every default written out, replays).
    // Resolved here, before the optimizer is defaulted, so a copy of this spec keeps its solver.
    if (type != ModelType.SEQUENTIAL && solver == null) {
      solver = optimizer != null ? Solver.GRADIENT_DESCENT : Solver.EXACT;
    }
    layers = layers == null ? List.of() : List.copyOf(layers);
    optimizer = optimizer == null ? OptimizerSpec.of((OptimizerSpec.Name) null) : optimizer;
    training = training == null ? TrainingSettings.DEFAULTS : training;
    metrics = metrics == null ? List.of() : List.copyOf(metrics);
    inputShape = inputShape == null ? List.of() : List.copyOf(inputShape);
  }

  public ModelSpec(
      ModelType type, List<LayerSpec> layers, OptimizerSpec optimizer, LossSpec loss, TrainingSettings training) {
    this(type, layers, optimizer, loss, training, List.of(), List.of(), false, null, null);
  }

  /** True when this is a linear or logistic regression fitted by {@link Solver#EXACT}. */
  public boolean exact() {
    return type != ModelType.SEQUENTIAL && solver != Solver.GRADIENT_DESCENT;
  }

  /** The L2 penalty in {@link #l2}'s units, defaulted for the model type. */
  public double l2Penalty() {
    if (l2 != null) {
      return l2;
    }
    // An n-gram bag is wide and sparse, each row L2-normalised: a lighter penalty than scikit-learn's C = 1 fits it
    // better (BENCHMARKS.md, "Text classification").
    return type == ModelType.NGRAM_CLASSIFIER ? 0.1 : type == ModelType.LOGISTIC_REGRESSION ? 1.0 : 0.0;
  }

  @JsonCreator
  static ModelSpec read(
      @JsonProperty("type") ModelType type,
      @JsonProperty("layers") List<LayerSpec> layers,
      @JsonProperty("optimizer") OptimizerSpec optimizer,
      @JsonProperty("loss") LossForm loss,
      @JsonProperty("training") TrainingSettings training,
      @JsonProperty("metrics") List<String> metrics,
      @JsonProperty("input_shape") List<Integer> inputShape,
      @JsonProperty("solver") Solver solver,
      @JsonProperty("l2") Double l2) {
    if (metrics != null && metrics.contains(null)) {
      throw new SpecException("metrics: each metric must be a name, got " + metrics);
    }
    if (inputShape != null && inputShape.contains(null)) {
      throw new SpecException("input_shape must be sizes >= 1, got " + inputShape);
    }
    return new ModelSpec(
        type,
        layers,
        optimizer,
        loss == null ? null : loss.name(),
        training,
        metrics,
        inputShape,
        loss != null && loss.fromLogits(),
        solver,
        l2);
  }

  /** This spec with its loss resolved. */
  public ModelSpec withLoss(LossSpec resolved) {
    return new ModelSpec(type, layers, optimizer, resolved, training, metrics, inputShape, fromLogits, solver, l2);
  }

  /** This spec with its training settings resolved. */
  public ModelSpec withTraining(TrainingSettings resolved) {
    return new ModelSpec(type, layers, optimizer, loss, resolved, metrics, inputShape, fromLogits, solver, l2);
  }

  /** This spec with its metrics named as epochs report them. */
  public ModelSpec withMetrics(List<String> resolved) {
    return new ModelSpec(type, layers, optimizer, loss, training, resolved, inputShape, fromLogits, solver, l2);
  }

  /** What is written: the record's components, with {@code from_logits} folded into {@code loss}. */
  @JsonValue
  Written written() {
    return new Written(
        type,
        layers,
        optimizer,
        loss == null ? null : new LossForm(loss, fromLogits),
        training,
        metrics,
        inputShape,
        solver,
        l2);
  }

  record Written(
      ModelType type,
      List<LayerSpec> layers,
      OptimizerSpec optimizer,
      LossForm loss,
      TrainingSettings training,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> metrics,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> inputShape,
      @JsonInclude(JsonInclude.Include.NON_NULL) Solver solver,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double l2) {}
}
