package dev.kiln.training.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.LayerSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a DJL network from a plan's layers. Each spec layer becomes one block holding its parameters (remembered by
 * layer index, for export), followed by small parameter-free blocks for its activation or reshaping.
 */
final class NetworkBuilder {
  /** The network and, per layer index, the block whose parameters that layer owns. */
  record Network(SequentialBlock block, Map<Integer, Block> parameterBlocks) {}

  private NetworkBuilder() {}

  static Network build(List<LayerSpec> layers, List<Integer> inputShape) throws TrainingException {
    SequentialBlock net = new SequentialBlock();
    Map<Integer, Block> owners = new LinkedHashMap<>();
    List<Integer> shape = inputShape;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      String where = "layer " + (i + 1) + " (" + layer.kind() + ")";
      switch (layer) {
        case LayerSpec.Dense d -> {
          if (shape.size() != 1) {
            throw new TrainingException(where + ": expects a flat input, got " + shape + "; add a flatten");
          }
          Block linear = Linear.builder().setUnits(d.units()).optBias(d.useBias()).build();
          owners.put(i, linear);
          net.add(linear);
          addActivation(net, d.activation());
          shape = List.of(d.units());
        }
        case LayerSpec.Conv2D c -> {
          requireRank(where, shape, 3);
          int[] pad = samePadding(where, c, shape);
          Block conv =
              Conv2d.builder()
                  .setFilters(c.filters())
                  .setKernelShape(new Shape(c.kernelSize().get(0), c.kernelSize().get(1)))
                  .optStride(new Shape(c.strides().get(0), c.strides().get(1)))
                  .optPadding(new Shape(pad[0], pad[1]))
                  .build();
          owners.put(i, conv);
          net.add(conv);
          addActivation(net, c.activation());
          shape =
              List.of(
                  c.filters(),
                  convOut(shape.get(1), c.kernelSize().get(0), c.strides().get(0), pad[0]),
                  convOut(shape.get(2), c.kernelSize().get(1), c.strides().get(1), pad[1]));
        }
        case LayerSpec.MaxPooling2D p -> {
          requireRank(where, shape, 3);
          net.add(
              Pool.maxPool2dBlock(
                  new Shape(p.poolSize().get(0), p.poolSize().get(1)),
                  new Shape(p.strides().get(0), p.strides().get(1))));
          shape =
              List.of(
                  shape.get(0),
                  convOut(shape.get(1), p.poolSize().get(0), p.strides().get(0), 0),
                  convOut(shape.get(2), p.poolSize().get(1), p.strides().get(1), 0));
        }
        case LayerSpec.Flatten f -> {
          net.add(Blocks.batchFlattenBlock());
          shape = List.of(shape.stream().reduce(1, Math::multiplyExact));
        }
        case LayerSpec.Reshape r -> {
          long[] dims = new long[r.targetShape().size() + 1];
          dims[0] = -1;
          for (int k = 0; k < r.targetShape().size(); k++) {
            dims[k + 1] = r.targetShape().get(k);
          }
          Shape target = new Shape(dims);
          net.add(LambdaBlock.singleton(x -> x.reshape(target), "reshape"));
          shape = r.targetShape();
        }
        case LayerSpec.Dropout d -> net.add(Dropout.builder().optRate((float) d.rate()).build());
        case LayerSpec.BatchNormalization b -> {
          Block bn =
              BatchNorm.builder().optMomentum(b.momentum().floatValue()).optEpsilon(b.epsilon().floatValue()).build();
          owners.put(i, bn);
          net.add(bn);
        }
        case LayerSpec.Embedding e -> {
          Block emb = new EmbeddingBlock(e.inputDim(), e.outputDim());
          owners.put(i, emb);
          net.add(emb);
          shape = List.of(shape.get(0), e.outputDim());
        }
        case LayerSpec.Lstm l -> {
          requireRank(where, shape, 2);
          Block lstm =
              LSTM.builder().setStateSize(l.units()).setNumLayers(1).optBatchFirst(true).optReturnState(false).build();
          owners.put(i, lstm);
          net.add(lstm);
          shape = lastStep(net, l.returnSequences(), shape.get(0), l.units());
        }
        case LayerSpec.Gru g -> {
          requireRank(where, shape, 2);
          Block gru =
              GRU.builder().setStateSize(g.units()).setNumLayers(1).optBatchFirst(true).optReturnState(false).build();
          owners.put(i, gru);
          net.add(gru);
          shape = lastStep(net, g.returnSequences(), shape.get(0), g.units());
        }
        case LayerSpec.ActivationLayer a -> addActivation(net, a.activation());
      }
    }
    return new Network(net, owners);
  }

  /** Keras's recurrent layers return the last step unless asked for the sequence. */
  private static List<Integer> lastStep(SequentialBlock net, boolean sequences, int steps, int units) {
    if (sequences) {
      return List.of(steps, units);
    }
    net.add(LambdaBlock.singleton(x -> x.get(":, -1, :"), "last_step"));
    return List.of(units);
  }

  private static void addActivation(SequentialBlock net, Activation activation) {
    switch (activation) {
      case LINEAR -> {}
      case RELU -> net.add(ai.djl.nn.Activation.reluBlock());
      case SIGMOID -> net.add(ai.djl.nn.Activation.sigmoidBlock());
      case TANH -> net.add(ai.djl.nn.Activation.tanhBlock());
      case SOFTMAX -> net.add(LambdaBlock.singleton((NDArray x) -> x.softmax(-1), "softmax"));
    }
  }

  /**
   * PyTorch pads symmetrically; Keras's "same" pads the extra row at the end when the total is odd, and its total
   * depends on the input size at strides above 1. Kiln supports "same" where the two always agree, odd kernels at
   * stride 1 (the usual case), so the exported model needs no shape information to match.
   */
  private static int[] samePadding(String where, LayerSpec.Conv2D c, List<Integer> shape) throws TrainingException {
    if (c.padding() == LayerSpec.Padding.VALID) {
      return new int[] {0, 0};
    }
    int[] pad = new int[2];
    for (int axis = 0; axis < 2; axis++) {
      int k = c.kernelSize().get(axis);
      if (k % 2 == 0 || c.strides().get(axis) != 1) {
        throw new TrainingException(
            where
                + ": padding \"same\" needs an odd kernel size and stride 1 (got kernel "
                + c.kernelSize()
                + ", strides "
                + c.strides()
                + "); use padding \"valid\" otherwise");
      }
      pad[axis] = (k - 1) / 2;
    }
    return pad;
  }

  private static int convOut(int in, int kernel, int stride, int pad) {
    return (in + 2 * pad - kernel) / stride + 1;
  }

  private static void requireRank(String where, List<Integer> shape, int rank) throws TrainingException {
    if (shape.size() != rank) {
      throw new TrainingException(where + ": expects an input of rank " + rank + ", got " + shape);
    }
  }
}
