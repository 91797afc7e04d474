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
 *
 * @param solver linear and logistic regression only: how they are fitted; {@link Solver#EXACT} when absent, {@link
 *     Solver#GRADIENT_DESCENT} when absent and an optimizer is given
 * @param l2 linear and logistic regression only: the L2 penalty on the weights (not the intercept), as scikit-learn
 *     puts it: linear minimises {@code sum((y - f(x))^2) + l2 * |w|^2} (Ridge's alpha, default 0), logistic {@code
 *     sum(log loss) + l2 / 2 * |w|^2} (1 / C, default 1 as LogisticRegression's C = 1)
 */
public record ModelSpec(
    ModelType type,
    List<LayerSpec> layers,
    OptimizerSpec optimizer,
    LossSpec loss,
    TrainingSettings training,
    Solver solver,
    Double l2) {
  public ModelSpec(
      ModelType type, List<LayerSpec> layers, OptimizerSpec optimizer, LossSpec loss, TrainingSettings training) {
    this(type, layers, optimizer, loss, training, null, null);
  }

  public ModelSpec {
    type = type == null ? ModelType.SEQUENTIAL : type;
    // An optimizer written out for a linear or logistic regression asks for gradient descent, as such specs always
    // trained before the exact solver (and as a stored spec, every default written out, replays).
    // Resolved here, before the optimizer is defaulted, so a copy of this spec keeps its solver.
    if (type != ModelType.SEQUENTIAL && solver == null) {
      solver = optimizer != null ? Solver.GRADIENT_DESCENT : Solver.EXACT;
    }
    layers = layers == null ? List.of() : List.copyOf(layers);
    optimizer = optimizer == null ? new OptimizerSpec(null, null, null, null, null, null, null, null) : optimizer;
    training = training == null ? TrainingSettings.DEFAULTS : training;
  }

  /** True when this is a linear or logistic regression fitted by {@link Solver#EXACT}. */
  public boolean exact() {
    return type != ModelType.SEQUENTIAL && solver != Solver.GRADIENT_DESCENT;
  }

  /** The L2 penalty in {@link #l2}'s units, defaulted for the model type. */
  public double l2Penalty() {
    return l2 != null ? l2 : type == ModelType.LOGISTIC_REGRESSION ? 1.0 : 0.0;
  }
}
