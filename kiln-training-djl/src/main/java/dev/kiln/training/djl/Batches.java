package dev.kiln.training.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kiln.training.data.Examples;
import dev.kiln.training.spec.LossSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/** Copies rows of {@link Examples} into engine tensors of the model's input shape and the loss's label form. */
final class Batches {
  private final Examples examples;
  private final long[] rowShape;
  private final boolean tokenIds;
  private final LossSpec loss;
  private final int classes;
  private final int rowSize;
  private final boolean channelsLast;
  private ByteBuffer staging = ByteBuffer.allocateDirect(0);

  /**
   * @param channelsLast whether image rows (C, H, W) go to the engine channels-last: stored as (N, H, W, C) and seen
   *     through a permuted (N, C, H, W) view, the same tensor to every operation. libtorch then runs the convolutions,
   *     activations and pooling of the whole stack in its channels-last kernels, which are much faster than the
   *     channels-first ones for small images (max pooling most of all; BENCHMARKS.md, training).
   */
  Batches(
      Examples examples, List<Integer> inputShape, boolean tokenIds, LossSpec loss, int classes, boolean channelsLast) {
    this.examples = examples;
    this.rowShape = inputShape.stream().mapToLong(Integer::longValue).toArray();
    this.tokenIds = tokenIds;
    this.loss = loss;
    this.classes = classes;
    this.rowSize = examples.rowSize();
    this.channelsLast = channelsLast && !tokenIds && rowShape.length == 3;
  }

  int count() {
    return examples.count();
  }

  /**
   * The features of rows {@code order[from..to)}. The tensor views this object's staging buffer, not a copy of it (DJL
   * hands a direct buffer to libtorch as is), so it is valid until the next call: the training loop closes each step's
   * tensors before it asks for the next batch.
   */
  NDArray features(NDManager m, int[] order, int from, int to) {
    int n = to - from;
    ByteBuffer bytes = staging(n * rowSize);
    FloatBuffer buf = bytes.asFloatBuffer();
    float[] src = examples.features();
    if (channelsLast) {
      fillChannelsLast(order, from, n, buf, src);
      return m.create(bytes, new Shape(n, rowShape[1], rowShape[2], rowShape[0]), DataType.FLOAT32)
          .transpose(0, 3, 1, 2);
    }
    for (int i = 0; i < n; i++) {
      buf.put(i * rowSize, src, order[from + i] * rowSize, rowSize);
    }
    NDArray x = m.create(bytes, new Shape(n).addAll(new Shape(rowShape)), DataType.FLOAT32);
    return tokenIds ? x.toType(DataType.INT64, false) : x;
  }

  /**
   * The staging buffer, exactly {@code floats} values long. Reused across batches: a new direct buffer per step, as
   * {@code NDManager.create(float[])} allocates and zeroes, cost about as much as filling it.
   */
  private ByteBuffer staging(int floats) {
    int size = floats * Float.BYTES;
    if (staging.capacity() < size) {
      staging = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }
    return staging.duplicate().order(ByteOrder.nativeOrder()).limit(size);
  }

  private void fillChannelsLast(int[] order, int from, int n, FloatBuffer buf, float[] src) {
    int channels = (int) rowShape[0];
    int pixels = rowSize / channels;
    for (int i = 0; i < n; i++) {
      int row = order[from + i] * rowSize;
      if (channels == 1) {
        buf.put(i * rowSize, src, row, rowSize);
        continue;
      }
      for (int c = 0; c < channels; c++) {
        for (int p = 0; p < pixels; p++) {
          buf.put(i * rowSize + p * channels + c, src[row + c * pixels + p]);
        }
      }
    }
  }

  /** The labels of rows {@code order[from..to)}: indices, one-hot rows, or a column of values. */
  NDArray labels(NDManager m, int[] order, int from, int to) {
    int n = to - from;
    float[] t = examples.targets();
    switch (loss) {
      case SPARSE_CATEGORICAL_CROSSENTROPY -> {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
          ids[i] = (long) t[order[from + i]];
        }
        return m.create(ids);
      }
      case CATEGORICAL_CROSSENTROPY -> {
        float[] oneHot = new float[n * classes];
        for (int i = 0; i < n; i++) {
          oneHot[i * classes + (int) t[order[from + i]]] = 1f;
        }
        return m.create(oneHot, new Shape(n, classes));
      }
      default -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = t[order[from + i]];
        }
        return m.create(v, new Shape(n, 1));
      }
    }
  }

  /**
   * How many of rows {@code order[from..to)} the logits classify as their class id: each row's arg max (the first of
   * equal maxima, as libtorch's), or for a single sigmoid output whether it is positive.
   *
   * @param logits the rows' logits, row after row
   */
  int correct(float[] logits, boolean sigmoid, int[] order, int from, int to) {
    int n = to - from;
    int k = logits.length / n;
    float[] t = examples.targets();
    int hits = 0;
    for (int i = 0; i < n; i++) {
      int predicted = 0;
      if (sigmoid) {
        predicted = logits[i] > 0 ? 1 : 0;
      } else {
        for (int c = 1; c < k; c++) {
          if (logits[i * k + c] > logits[i * k + predicted]) {
            predicted = c;
          }
        }
      }
      hits += predicted == (int) t[order[from + i]] ? 1 : 0;
    }
    return hits;
  }

  /** Class indices of rows {@code order[from..to)}, for accuracy. */
  NDArray classIds(NDManager m, int[] order, int from, int to) {
    long[] ids = new long[to - from];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (long) examples.targets()[order[from + i]];
    }
    return m.create(ids);
  }

  static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }
}
