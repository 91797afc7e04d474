package dev.kiln.training.djl;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.Preprocessing;
import dev.kiln.training.data.Task;
import java.util.List;
import java.util.Random;

/** Small prepared datasets made in code, for engine tests that need no files. */
final class Synthetic {
  private Synthetic() {}

  /** Inputs go to the model as they are. */
  record Identity(List<Integer> shape, DataType type) implements Preprocessing {
    @Override
    public List<TensorSpec> rawInputs() {
      long[] dims = new long[shape.size() + 1];
      dims[0] = -1;
      for (int i = 0; i < shape.size(); i++) {
        dims[i + 1] = shape.get(i);
      }
      return List.of(new TensorSpec("input", type, dims));
    }

    @Override
    public DataType outputType() {
      return type;
    }

    @Override
    public void appendOnnx(OnnxGraphBuilder graph, String output) {
      TensorSpec in = rawInputs().get(0);
      graph.input(in.name(), type, in.shape());
      graph.node("Identity", List.of(in.name()), List.of(output));
    }
  }

  /** {@code y = 2x + 1 + noise}, x in [-1, 1]. */
  static PreparedData line(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextFloat() * 2 - 1;
      y[i] = 2 * x[i] + 1 + (float) r.nextGaussian() * 0.05f;
    }
    return split(Task.regression("y"), List.of(1), DataType.FP32, x, y, n);
  }

  /** {@code classes} Gaussian blobs in {@code dims} dimensions, well separated. */
  static PreparedData blobs(int n, int dims, int classes, long seed) {
    Random r = new Random(seed);
    float[][] centers = new float[classes][dims];
    for (float[] c : centers) {
      for (int d = 0; d < dims; d++) {
        c[d] = (float) r.nextGaussian() * 3;
      }
    }
    float[] x = new float[n * dims];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int c = i % classes;
      y[i] = c;
      for (int d = 0; d < dims; d++) {
        x[i * dims + d] = centers[c][d] + (float) r.nextGaussian() * 0.5f;
      }
    }
    List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    return split(Task.classification("class", names), List.of(dims), DataType.FP32, x, y, n);
  }

  /** 8x8 single-channel images of a horizontal (class 0) or vertical (class 1) bar, with noise. */
  static PreparedData bars(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * 64];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int c = i % 2;
      int at = r.nextInt(8);
      y[i] = c;
      for (int p = 0; p < 64; p++) {
        int row = p / 8;
        int col = p % 8;
        boolean on = c == 0 ? row == at : col == at;
        x[i * 64 + p] = (on ? 1f : 0f) + (float) r.nextGaussian() * 0.1f;
      }
    }
    return split(
        Task.classification("bar", List.of("horizontal", "vertical")), List.of(1, 8, 8), DataType.FP32, x, y, n);
  }

  /**
   * Token sequences of length {@code steps} over a vocabulary of 20 (0 = padding): class 1 when token 7 appears before
   * token 9, class 0 otherwise. Order matters, so only a sequence model learns it well.
   */
  static PreparedData sequences(int n, int steps, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * steps];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(steps);
      int b = r.nextInt(steps - 1);
      if (b >= a) {
        b++;
      }
      for (int s = 0; s < steps; s++) {
        x[i * steps + s] = 2 + r.nextInt(5);
      }
      x[i * steps + a] = 7;
      x[i * steps + b] = 9;
      y[i] = a < b ? 1 : 0;
    }
    return split(Task.classification("order", List.of("9-first", "7-first")), List.of(steps), DataType.INT64, x, y, n);
  }

  /** 70 % train, 15 % validation, 15 % test, in order (the generators already mix rows). */
  private static PreparedData split(Task task, List<Integer> shape, DataType type, float[] x, float[] y, int n) {
    Examples all = new Examples(x, y, n);
    int a = n * 70 / 100;
    int b = n * 85 / 100;
    return new PreparedData(
        task,
        shape,
        all.slice(0, a),
        all.slice(a, b),
        all.slice(b, n),
        new Identity(shape, type),
        new DatasetRef("synthetic", 1, "0".repeat(64)));
  }
}
