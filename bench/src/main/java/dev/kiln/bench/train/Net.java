package dev.kiln.bench.train;

import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.LayerSpec;
import dev.kiln.training.spec.LossSpec;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import dev.kiln.training.spec.OptimizerSpec;
import java.util.List;

/** The two networks, each built identically by {@code train_torch.py} (its {@code network}). */
enum Net {
  /** 784-128-10, relu, on the flattened image. */
  MLP("mlp", List.of(StrokeDigits.PIXELS)),
  /** Conv 8 3x3 relu, max-pool 2, conv 16 3x3 relu, max-pool 2, flatten (400), dense 10. */
  CNN("cnn", List.of(1, StrokeDigits.SIDE, StrokeDigits.SIDE));

  /** Adam's epsilon on both sides: Kiln's default (Keras's), passed to PyTorch, whose own default is 1e-8. */
  static final double ADAM_EPSILON = 1e-7;

  private final String id;
  private final List<Integer> inputShape;

  Net(String id, List<Integer> inputShape) {
    this.id = id;
    this.inputShape = inputShape;
  }

  /** The name {@code train_torch.py --model} takes. */
  String id() {
    return id;
  }

  List<Integer> inputShape() {
    return inputShape;
  }

  ModelSpec spec(double learningRate) {
    List<LayerSpec> layers =
        switch (this) {
          case MLP ->
              List.of(
                  new LayerSpec.Dense(128, Activation.RELU, null),
                  new LayerSpec.Dense(StrokeDigits.CLASSES, Activation.SOFTMAX, null));
          case CNN ->
              List.of(
                  new LayerSpec.Conv2D(8, List.of(3), null, LayerSpec.Padding.VALID, Activation.RELU),
                  new LayerSpec.MaxPooling2D(List.of(2), null),
                  new LayerSpec.Conv2D(16, List.of(3), null, LayerSpec.Padding.VALID, Activation.RELU),
                  new LayerSpec.MaxPooling2D(List.of(2), null),
                  new LayerSpec.Flatten(),
                  new LayerSpec.Dense(StrokeDigits.CLASSES, Activation.SOFTMAX, null));
        };
    OptimizerSpec adam =
        new OptimizerSpec(OptimizerSpec.Name.ADAM, learningRate, null, null, null, null, ADAM_EPSILON, null);
    return new ModelSpec(ModelType.SEQUENTIAL, layers, adam, LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, null);
  }
}
