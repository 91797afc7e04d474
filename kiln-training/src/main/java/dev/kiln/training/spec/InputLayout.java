package dev.kiln.training.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras writes images channels-last ({@code [height, width, channels]}); Kiln's layers and image datasets are
 * channels-first ({@code [channels, height, width]}), as PyTorch's are. This reconciles the two before shapes are
 * inferred:
 *
 * <ul>
 *   <li>a declared {@code input_shape} equal to the data's shape, or to an image dataset's shape written channels-last,
 *       is taken as the data's shape: the images stay channels-first and the served input is unchanged;
 *   <li>on flat columns (the 64 pixels of the digits CSV) an {@code input_shape} with as many values becomes a leading
 *       reshape, a channels-last single channel {@code [8, 8, 1]} meaning {@code [1, 8, 8]} (the same values in the
 *       same order); several channels stored pixel by pixel would need a transpose, so they are refused;
 *   <li>a {@code reshape} to a channels-last single channel {@code [h, w, 1]} feeding a convolution or pooling is read
 *       as {@code [1, h, w]}, for the same reason.
 * </ul>
 */
final class InputLayout {
  private InputLayout() {}

  /** The spec with its input made channels-first and explicit; {@code data} is the data's example shape. */
  static ModelSpec resolve(ModelSpec spec, List<Integer> data) {
    List<LayerSpec> layers = new ArrayList<>(spec.layers());
    List<Integer> declared = spec.inputShape();
    List<Integer> input = data;
    if (!declared.isEmpty() && !declared.equals(data)) {
      if (data.size() == 3 && declared.equals(List.of(data.get(1), data.get(2), data.get(0)))) {
        input = data;
      } else if (data.size() == 1 && product(declared) == data.getFirst()) {
        layers.addFirst(new LayerSpec.Reshape(channelsFirst(declared, "input_shape")));
      } else {
        throw new SpecException(
            "input_shape "
                + declared
                + " does not match the data's examples, "
                + data
                + (data.size() == 3 ? " (channels-last: " + List.of(data.get(1), data.get(2), data.get(0)) + ")" : ""));
      }
    }
    for (int i = 0; i + 1 < layers.size(); i++) {
      if (layers.get(i) instanceof LayerSpec.Reshape r
          && r.targetShape() != null
          && channelsLast(r.targetShape())
          && r.targetShape().get(2) == 1
          && spatial(layers.get(i + 1))) {
        layers.set(i, new LayerSpec.Reshape(channelsFirst(r.targetShape(), "layer " + (i + 1) + " (reshape)")));
      }
    }
    return new ModelSpec(
        spec.type(),
        layers,
        spec.optimizer(),
        spec.loss(),
        spec.training(),
        spec.metrics(),
        declared.isEmpty() ? List.of() : input,
        spec.fromLogits(),
        spec.solver(),
        spec.l2());
  }

  /** {@code [h, w, c]} with few channels and a real image size: how Keras writes an image. */
  private static boolean channelsLast(List<Integer> shape) {
    return shape.size() == 3 && shape.get(2) <= 4 && shape.get(0) > 4 && shape.get(1) > 4;
  }

  private static List<Integer> channelsFirst(List<Integer> shape, String where) {
    if (!channelsLast(shape)) {
      return shape;
    }
    if (shape.get(2) != 1) {
      throw new SpecException(
          where
              + ": channels-last "
              + shape
              + " over flat columns would need a transpose; give the columns channel by channel as "
              + List.of(shape.get(2), shape.get(0), shape.get(1)));
    }
    return List.of(1, shape.get(0), shape.get(1));
  }

  private static boolean spatial(LayerSpec next) {
    return next instanceof LayerSpec.Conv2D || next instanceof LayerSpec.MaxPooling2D;
  }

  private static long product(List<Integer> shape) {
    long p = 1;
    for (Integer d : shape) {
      if (d == null || d < 1) {
        throw new SpecException("input_shape must be sizes >= 1, got " + shape);
      }
      p *= d;
    }
    return p;
  }
}
