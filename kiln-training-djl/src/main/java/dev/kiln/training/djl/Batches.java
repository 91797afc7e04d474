package dev.kiln.training.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kiln.training.data.Examples;
import dev.kiln.training.spec.LossSpec;
import java.util.List;

/** Copies rows of {@link Examples} into engine tensors of the model's input shape and the loss's label form. */
final class Batches {
  private final Examples examples;
  private final long[] rowShape;
  private final boolean tokenIds;
  private final LossSpec loss;
  private final int classes;
  private final int rowSize;

  Batches(Examples examples, List<Integer> inputShape, boolean tokenIds, LossSpec loss, int classes) {
    this.examples = examples;
    this.rowShape = inputShape.stream().mapToLong(Integer::longValue).toArray();
    this.tokenIds = tokenIds;
    this.loss = loss;
    this.classes = classes;
    this.rowSize = examples.rowSize();
  }

  /** Whether {@link #labels} are already the class ids (sparse cross-entropy), so accuracy can reuse them. */
  boolean sparseLabels() {
    return loss == LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY;
  }

  int count() {
    return examples.count();
  }

  /** The features of rows {@code order[from..to)}. */
  NDArray features(NDManager m, int[] order, int from, int to) {
    int n = to - from;
    float[] buf = new float[n * rowSize];
    float[] src = examples.features();
    for (int i = 0; i < n; i++) {
      System.arraycopy(src, order[from + i] * rowSize, buf, i * rowSize, rowSize);
    }
    NDArray x = m.create(buf, new Shape(n).addAll(new Shape(rowShape)));
    return tokenIds ? x.toType(DataType.INT64, false) : x;
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
