package dev.kiln.training.spec;

import java.util.List;

/**
 * A model and how to train it, as a user writes it in YAML or JSON (Keras's Sequential + compile + fit):
 *
 * <pre>
 * type: sequential
 * layers:
 *   - {type: dense, units: 128, activation: relu}
 *   - {type: dropout, rate: 0.2}
 *   - {type: dense, units: 10, activation: softmax}
 * optimizer: {name: adam, learning_rate: 0.001}
 * loss: sparse_categorical_crossentropy
 * </pre>
 *
 * Training settings given on the command line or in the job request ({@link TrainingSettings}) override the ones here.
 */
public record ModelSpec(
    ModelType type, List<LayerSpec> layers, OptimizerSpec optimizer, LossSpec loss, TrainingSettings training) {
  public ModelSpec {
    type = type == null ? ModelType.SEQUENTIAL : type;
    layers = layers == null ? List.of() : List.copyOf(layers);
    optimizer = optimizer == null ? new OptimizerSpec(null, null, null, null, null, null, null, null) : optimizer;
    training = training == null ? TrainingSettings.DEFAULTS : training;
  }
}
