package dev.kiln.training.engine;

import dev.kiln.training.data.Examples;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A fitted linear or logistic regression: {@code outputs} rows of {@code d} weights and an intercept, computed in
 * double precision, and the head that turns its outputs into predictions (as {@link NetworkPlan} exports them).
 */
final class LinearModel implements TrainedModel.Predictor {
  private final double[] theta;
  private final int outputs;
  private final NetworkPlan.Head head;

  LinearModel(double[] theta, int outputs, NetworkPlan.Head head) {
    this.theta = theta.clone();
    this.outputs = outputs;
    this.head = head;
  }

  /** Layer 0 of a dense layer, PyTorch's layout: {@code weight [outputs, d]}, {@code bias [outputs]}. */
  Map<Integer, Map<String, Param>> params() {
    int d = theta.length / outputs - 1;
    float[] w = new float[outputs * d];
    float[] b = new float[outputs];
    for (int k = 0; k < outputs; k++) {
      for (int j = 0; j < d; j++) {
        w[k * d + j] = (float) theta[k * (d + 1) + j];
      }
      b[k] = (float) theta[k * (d + 1) + d];
    }
    Map<String, Param> dense = new LinkedHashMap<>();
    dense.put("weight", new Param(new long[] {outputs, d}, w));
    dense.put("bias", new Param(new long[] {outputs}, b));
    return Map.of(0, dense);
  }

  @Override
  public Optional<double[][]> linearWeights() {
    int d = theta.length / outputs - 1;
    double[][] rows = new double[outputs][];
    for (int k = 0; k < outputs; k++) {
      rows[k] = Arrays.copyOfRange(theta, k * (d + 1), (k + 1) * (d + 1));
    }
    return Optional.of(rows);
  }

  @Override
  public float[] predict(Examples rows) {
    int d = rows.rowSize();
    int width = head == NetworkPlan.Head.SIGMOID ? 2 : outputs;
    float[] out = new float[rows.count() * width];
    double[] z = new double[outputs];
    for (int i = 0; i < rows.count(); i++) {
      logits(theta, outputs, rows.features(), i * d, d, z);
      switch (head) {
        case NONE -> out[i] = (float) z[0];
        case SIGMOID -> {
          double p = sigmoid(z[0]);
          out[2 * i] = (float) (1 - p);
          out[2 * i + 1] = (float) p;
        }
        case SOFTMAX -> {
          softmax(z);
          for (int k = 0; k < outputs; k++) {
            out[i * outputs + k] = (float) z[k];
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {}

  /** {@code z = W x + b} for the row at {@code from}. */
  static void logits(double[] theta, int outputs, float[] x, int from, int d, double[] z) {
    for (int k = 0; k < outputs; k++) {
      int base = k * (d + 1);
      double s = theta[base + d];
      for (int j = 0; j < d; j++) {
        s += theta[base + j] * x[from + j];
      }
      z[k] = s;
    }
  }

  /**
   * The log loss of logits {@code z} for class {@code y}, and its gradient in {@code z} into {@code residual}. One
   * output is a sigmoid's logit for class 1; more are softmax logits.
   */
  static double logLoss(double[] z, int y, double[] residual) {
    if (z.length == 1) {
      double p = sigmoid(z[0]);
      residual[0] = p - y;
      // log(1 + e^z) - y z, without overflow for large |z|.
      return Math.max(z[0], 0) + Math.log1p(Math.exp(-Math.abs(z[0]))) - y * z[0];
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int k = 0; k < z.length; k++) {
      residual[k] = Math.exp(z[k] - max);
      sum += residual[k];
    }
    for (int k = 0; k < z.length; k++) {
      residual[k] = residual[k] / sum - (k == y ? 1 : 0);
    }
    return max + Math.log(sum) - z[y];
  }

  private static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  private static void softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int k = 0; k < z.length; k++) {
      z[k] = Math.exp(z[k] - max);
      sum += z[k];
    }
    for (int k = 0; k < z.length; k++) {
      z[k] /= sum;
    }
  }
}
