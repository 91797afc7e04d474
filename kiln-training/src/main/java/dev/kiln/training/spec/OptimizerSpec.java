package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An optimizer and its hyperparameters; unset values take each optimizer's usual defaults (Keras/PyTorch). A spec gives
 * it as a mapping ({@code optimizer: {name: sgd, learning_rate: 0.05}}) or, as Keras's {@code compile} takes it, as a
 * bare name ({@code optimizer: adam}) with that optimizer's defaults.
 *
 * @param momentum SGD only: 0 is plain SGD
 * @param weightDecay L2 penalty added to the gradient, 0 for none
 */
public record OptimizerSpec(
    Name name,
    Double learningRate,
    Double momentum,
    Double weightDecay,
    Double beta1,
    Double beta2,
    Double epsilon,
    Double rho) {
  public enum Name {
    @JsonProperty("sgd")
    SGD,
    @JsonProperty("adagrad")
    ADAGRAD,
    @JsonProperty("rmsprop")
    RMSPROP,
    @JsonProperty("adam")
    ADAM
  }

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public OptimizerSpec {
    name = name == null ? Name.ADAM : name;
    learningRate =
        learningRate != null
            ? learningRate
            : switch (name) {
              case SGD -> 0.01;
              case ADAGRAD -> 0.01;
              case RMSPROP, ADAM -> 0.001;
            };
    momentum = momentum == null ? 0.0 : momentum;
    weightDecay = weightDecay == null ? 0.0 : weightDecay;
    beta1 = beta1 == null ? 0.9 : beta1;
    beta2 = beta2 == null ? 0.999 : beta2;
    epsilon = epsilon == null ? 1e-7 : epsilon;
    rho = rho == null ? 0.9 : rho;
  }

  public static OptimizerSpec of(Name name) {
    return new OptimizerSpec(name, null, null, null, null, null, null, null);
  }

  /**
   * The bare-name form, {@code optimizer: adam}: every hyperparameter at its default. A String creator, so Jackson uses
   * it for scalars only and keeps the canonical constructor for mappings.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static OptimizerSpec named(String name) {
    return of(SpecMappers.named(Name.class, name, "optimizer"));
  }

  public static OptimizerSpec of(Name name, double learningRate) {
    return new OptimizerSpec(name, learningRate, null, null, null, null, null, null);
  }
}
