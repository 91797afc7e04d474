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
 */
public record ModelSpec(
    ModelType type,
    List<LayerSpec> layers,
    OptimizerSpec optimizer,
    LossSpec loss,
    TrainingSettings training,
    List<String> metrics,
    List<Integer> inputShape,
    @JsonIgnore boolean fromLogits) {
  public ModelSpec {
    type = type == null ? ModelType.SEQUENTIAL : type;
    layers = layers == null ? List.of() : List.copyOf(layers);
    optimizer = optimizer == null ? OptimizerSpec.of((OptimizerSpec.Name) null) : optimizer;
    training = training == null ? TrainingSettings.DEFAULTS : training;
    metrics = metrics == null ? List.of() : List.copyOf(metrics);
    inputShape = inputShape == null ? List.of() : List.copyOf(inputShape);
  }

  public ModelSpec(
      ModelType type, List<LayerSpec> layers, OptimizerSpec optimizer, LossSpec loss, TrainingSettings training) {
    this(type, layers, optimizer, loss, training, List.of(), List.of(), false);
  }

  @JsonCreator
  static ModelSpec read(
      @JsonProperty("type") ModelType type,
      @JsonProperty("layers") List<LayerSpec> layers,
      @JsonProperty("optimizer") OptimizerSpec optimizer,
      @JsonProperty("loss") LossForm loss,
      @JsonProperty("training") TrainingSettings training,
      @JsonProperty("metrics") List<String> metrics,
      @JsonProperty("input_shape") List<Integer> inputShape) {
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
        loss != null && loss.fromLogits());
  }

  /** This spec with its loss resolved. */
  public ModelSpec withLoss(LossSpec resolved) {
    return new ModelSpec(type, layers, optimizer, resolved, training, metrics, inputShape, fromLogits);
  }

  /** This spec with its training settings resolved. */
  public ModelSpec withTraining(TrainingSettings resolved) {
    return new ModelSpec(type, layers, optimizer, loss, resolved, metrics, inputShape, fromLogits);
  }

  /** What is written: the record's components, with {@code from_logits} folded into {@code loss}. */
  @JsonValue
  Written written() {
    return new Written(
        type, layers, optimizer, loss == null ? null : new LossForm(loss, fromLogits), training, metrics, inputShape);
  }

  record Written(
      ModelType type,
      List<LayerSpec> layers,
      OptimizerSpec optimizer,
      LossForm loss,
      TrainingSettings training,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> metrics,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> inputShape) {}
}
