package dev.kiln.onnx;

import dev.kiln.core.tensor.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small models Kiln makes itself for its demo, tests and benchmarks (nothing is downloaded). Each comes with a
 * plain-Java reference so tests can check numbers, not just status codes.
 */
public final class ExampleModels {
  private ExampleModels() {}

  /**
   * A two-layer perceptron {@code logits = relu(x W1ᵀ + b1) W2ᵀ + b2} with seeded random weights. Input {@code input}
   * FP32 {@code [N, inputs]}, output {@code logits} FP32 {@code [N, outputs]}.
   */
  public record Mlp(int inputs, int hidden, int outputs, float[] w1, float[] b1, float[] w2, float[] b2) {
    public static Mlp random(int inputs, int hidden, int outputs, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      return new Mlp(
          inputs,
          hidden,
          outputs,
          uniform(r, hidden * inputs, Math.sqrt(6.0 / (inputs + hidden))),
          uniform(r, hidden, 0.1),
          uniform(r, outputs * hidden, Math.sqrt(6.0 / (hidden + outputs))),
          uniform(r, outputs, 0.1));
    }

    public byte[] onnx() {
      return new OnnxGraphBuilder("mlp")
          .input("input", DataType.FP32, -1, inputs)
          .output("logits", DataType.FP32, -1, outputs)
          .initializer("w1", new long[] {hidden, inputs}, w1)
          .initializer("b1", new long[] {hidden}, b1)
          .initializer("w2", new long[] {outputs, hidden}, w2)
          .initializer("b2", new long[] {outputs}, b2)
          .node("Gemm", List.of("input", "w1", "b1"), List.of("h"), Map.of("transB", 1L))
          .node("Relu", List.of("h"), List.of("a"))
          .node("Gemm", List.of("a", "w2", "b2"), List.of("logits"), Map.of("transB", 1L))
          .toBytes();
    }

    /** The model's output for one row, computed in plain Java. */
    public float[] predict(float[] x) {
      float[] h = new float[hidden];
      for (int j = 0; j < hidden; j++) {
        double s = b1[j];
        for (int i = 0; i < inputs; i++) {
          s += (double) x[i] * w1[j * inputs + i];
        }
        h[j] = (float) Math.max(0, s);
      }
      float[] y = new float[outputs];
      for (int k = 0; k < outputs; k++) {
        double s = b2[k];
        for (int j = 0; j < hidden; j++) {
          s += (double) h[j] * w2[k * hidden + j];
        }
        y[k] = (float) s;
      }
      return y;
    }

    /** A seeded random input row in [0, 1). */
    public static float[] randomRow(int n, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) r.nextDouble();
      }
      return x;
    }

    private static float[] uniform(SplittableRandom r, int n, double scale) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
      }
      return a;
    }
  }

  /** Two inputs {@code a}, {@code b} FP32 [N, 4]; two outputs {@code sum} = a + b and {@code diff} = a - b. */
  public static byte[] addSub() {
    return new OnnxGraphBuilder("add_sub")
        .input("a", DataType.FP32, -1, 4)
        .input("b", DataType.FP32, -1, 4)
        .output("sum", DataType.FP32, -1, 4)
        .output("diff", DataType.FP32, -1, 4)
        .node("Add", List.of("a", "b"), List.of("sum"))
        .node("Sub", List.of("a", "b"), List.of("diff"))
        .toBytes();
  }

  /** Returns its input unchanged: {@code input} → {@code output}, any datatype, shape {@code [N, M]}. */
  public static byte[] identity(DataType type) {
    return new OnnxGraphBuilder("identity_" + type.name().toLowerCase(Locale.ROOT))
        .input("input", type, -1, -1)
        .output("output", type, -1, -1)
        .node("Identity", List.of("input"), List.of("output"))
        .toBytes();
  }

  /**
   * A tabular model as Kiln's trainer exports one, with named columns ({@code kiln.columns}): {@code features} FP32
   * {@code [N, 3]} (columns {@code age}, {@code income}, {@code height}) and {@code categories} BYTES {@code [N, 1]}
   * (column {@code city}); outputs {@code score} = age + 10 income + 100 height ({@code [N, 1]}, so a column in the
   * wrong place changes it) and {@code city}, the categories unchanged.
   */
  public static byte[] tabular() {
    return new OnnxGraphBuilder("tabular")
        .input("features", DataType.FP32, -1, 3)
        .input("categories", DataType.BYTES, -1, 1)
        .output("score", DataType.FP32, -1, 1)
        .output("city", DataType.BYTES, -1, 1)
        .initializer("weights", new long[] {3, 1}, new float[] {1, 10, 100})
        .node("MatMul", List.of("features", "weights"), List.of("score"))
        .node("Identity", List.of("categories"), List.of("city"))
        .metadata("kiln.columns", "{\"features\": [\"age\", \"income\", \"height\"], \"categories\": [\"city\"]}")
        .toBytes();
  }

  /** Writes {@code <root>/<name>/<version>/model.onnx}. */
  public static Path write(Path root, String name, long version, byte[] model) throws IOException {
    Path f = root.resolve(name).resolve(Long.toString(version)).resolve("model.onnx");
    Files.createDirectories(f.getParent());
    return Files.write(f, model);
  }
}
