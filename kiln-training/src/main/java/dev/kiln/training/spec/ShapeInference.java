package dev.kiln.training.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Each layer's output shape from its input shape, Keras's rules, batch dimension excluded. A layer that cannot take its
 * input fails with a {@link SpecException} naming it ({@code layer 3 (conv2d): ...}), positions counted from 1.
 *
 * <ul>
 *   <li>{@code dense} maps the last axis, whatever the rank ({@code [steps, f] -> [steps, units]}), as Keras and DJL's
 *       Linear do; image input usually wants a {@code flatten} first, which the output check then asks for.
 *   <li>{@code conv2d} and {@code max_pooling2d} take {@code [channels, height, width]}; "valid" padding gives {@code
 *       floor((n - k) / s) + 1}, "same" gives {@code ceil(n / s)}. Pooling is always "valid".
 *   <li>{@code lstm} and {@code gru} take {@code [steps, features]} and give {@code [units]}, or {@code [steps, units]}
 *       with {@code return_sequences}.
 *   <li>{@code embedding} must be the first layer and takes token ids {@code [steps]}.
 *   <li>{@code batch_normalization} takes features {@code [f]} or images {@code [c, h, w]}.
 *   <li>{@code reshape} may leave one dimension as -1, to be inferred.
 * </ul>
 */
public final class ShapeInference {
  private ShapeInference() {}

  /** Every layer's output shape, in order; the last one is the model's output. */
  public static List<List<Integer>> outputShapes(List<Integer> input, List<LayerSpec> layers) {
    List<List<Integer>> shapes = new ArrayList<>(layers.size());
    List<Integer> shape = input;
    for (int i = 0; i < layers.size(); i++) {
      shape = outputShape(i + 1, layers.get(i), shape);
      shapes.add(shape);
    }
    return List.copyOf(shapes);
  }

  /** The output of the layer at {@code position} (from 1) given its input. */
  public static List<Integer> outputShape(int position, LayerSpec layer, List<Integer> in) {
    try {
      return infer(position, layer, in);
    } catch (SpecException e) {
      throw e.within("layers[" + (position - 1) + "]"); // messages count from 1, as people do; paths from 0, as JSON
    }
  }

  private static List<Integer> infer(int position, LayerSpec layer, List<Integer> in) {
    String name = name(position, layer);
    return switch (layer) {
      case LayerSpec.Dense d -> {
        atLeastOne(name, "units", d.units());
        List<Integer> out = new ArrayList<>(in);
        out.set(out.size() - 1, d.units());
        yield List.copyOf(out);
      }
      case LayerSpec.Conv2D c -> {
        image(name, in, "add a reshape to [channels, height, width]");
        atLeastOne(name, "filters", c.filters());
        pairOfPositives(name, "kernel_size", c.kernelSize());
        pairOfPositives(name, "strides", c.strides());
        boolean same = c.padding() == LayerSpec.Padding.SAME;
        yield List.of(
            c.filters(),
            slide(name, "kernel", c.kernelSize(), c.strides(), in, 1, same),
            slide(name, "kernel", c.kernelSize(), c.strides(), in, 2, same));
      }
      case LayerSpec.MaxPooling2D p -> {
        image(name, in, "add a reshape to [channels, height, width]");
        pairOfPositives(name, "pool_size", p.poolSize());
        pairOfPositives(name, "strides", p.strides());
        yield List.of(
            in.get(0),
            slide(name, "pool", p.poolSize(), p.strides(), in, 1, false),
            slide(name, "pool", p.poolSize(), p.strides(), in, 2, false));
      }
      case LayerSpec.Flatten f -> List.of(size(in));
      case LayerSpec.Reshape r -> reshape(name, r.targetShape(), in);
      case LayerSpec.Dropout d -> {
        if (!(d.rate() >= 0 && d.rate() < 1)) {
          throw SpecException.at("rate", name + ": rate must be in [0, 1), got " + d.rate());
        }
        yield in;
      }
      case LayerSpec.BatchNormalization b -> {
        if (in.size() != 1 && in.size() != 3) {
          throw new SpecException(name + ": expects input [features] or [channels, height, width], got " + in);
        }
        if (!(b.momentum() >= 0 && b.momentum() < 1) || !(b.epsilon() > 0)) {
          throw new SpecException(name + ": momentum must be in [0, 1) and epsilon > 0");
        }
        yield in;
      }
      case LayerSpec.Embedding e -> {
        if (position != 1 || in.size() != 1) {
          throw new SpecException(name + " must come first and take token ids [steps], got " + in);
        }
        atLeastOne(name, "input_dim", e.inputDim());
        atLeastOne(name, "output_dim", e.outputDim());
        yield List.of(in.get(0), e.outputDim());
      }
      case LayerSpec.Lstm l -> recurrent(name, l.units(), l.returnSequences(), in);
      case LayerSpec.Gru g -> recurrent(name, g.units(), g.returnSequences(), in);
      case LayerSpec.ActivationLayer a -> {
        if (a.activation() == null) {
          throw new SpecException(name + ": activation is required");
        }
        yield in;
      }
    };
  }

  static String name(int position, LayerSpec layer) {
    return "layer " + position + " (" + layer.kind() + ")";
  }

  static int size(List<Integer> shape) {
    return Math.toIntExact(shape.stream().mapToLong(Integer::longValue).reduce(1, Math::multiplyExact));
  }

  private static List<Integer> recurrent(String name, int units, boolean sequences, List<Integer> in) {
    if (in.size() != 2) {
      throw new SpecException(
          name + ": expects input [steps, features], got " + in + "; add an embedding or a reshape");
    }
    atLeastOne(name, "units", units);
    return sequences ? List.of(in.get(0), units) : List.of(units);
  }

  private static void image(String name, List<Integer> in, String hint) {
    if (in.size() != 3) {
      throw new SpecException(name + ": expects input [channels, height, width], got " + in + "; " + hint);
    }
  }

  /** One spatial axis of a convolution or pooling window; {@code axis} 1 is height, 2 is width. */
  private static int slide(
      String name, String what, List<Integer> window, List<Integer> strides, List<Integer> in, int axis, boolean same) {
    int n = in.get(axis);
    int k = window.get(axis - 1);
    int s = strides.get(axis - 1);
    if (same) {
      return (n + s - 1) / s;
    }
    if (k > in.get(1) || window.get(1) > in.get(2)) {
      throw new SpecException(
          name
              + ": "
              + what
              + " "
              + window.get(0)
              + "x"
              + window.get(1)
              + " does not fit input "
              + in.get(1)
              + "x"
              + in.get(2));
    }
    return (n - k) / s + 1;
  }

  private static List<Integer> reshape(String name, List<Integer> target, List<Integer> in) {
    if (target == null || target.isEmpty()) {
      throw new SpecException(name + ": target_shape is required");
    }
    long known = 1;
    int inferred = -1;
    for (int i = 0; i < target.size(); i++) {
      int d = target.get(i);
      if (d == -1 && inferred < 0) {
        inferred = i;
      } else if (d < 1) {
        throw new SpecException(name + ": target " + target + " must hold sizes >= 1 (at most one -1)");
      } else {
        known *= d;
      }
    }
    int size = size(in);
    if (inferred >= 0) {
      if (size % known != 0) {
        throw new SpecException(name + ": target " + target + " cannot hold the input's " + size + " values");
      }
      List<Integer> out = new ArrayList<>(target);
      out.set(inferred, (int) (size / known));
      return List.copyOf(out);
    }
    if (known != size) {
      throw new SpecException(name + ": target " + target + " holds " + known + " values, input holds " + size);
    }
    return List.copyOf(target);
  }

  private static void atLeastOne(String name, String field, int value) {
    if (value < 1) {
      throw SpecException.at(field, name + ": " + field + " must be >= 1, got " + value);
    }
  }

  private static void pairOfPositives(String name, String field, List<Integer> pair) {
    if (pair.size() != 2 || pair.stream().anyMatch(v -> v == null || v < 1)) {
      throw SpecException.at(field, name + ": " + field + " must be one or two integers >= 1, got " + pair);
    }
  }
}
