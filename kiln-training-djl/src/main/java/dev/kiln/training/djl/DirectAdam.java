package dev.kiln.training.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.PairList;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam as one pass over each parameter's memory, in place of DJL's {@code Adam} through {@code Trainer.step()}.
 *
 * <p>DJL's step costs, per parameter: a copy of the gradient, DJL's native update (another copy, five temporary tensors
 * and about ten passes over the data), a zeroing call and three JNI frees; for the MLP of BENCHMARKS.md that was
 * 410–450 µs of a ~1 ms step. Here each parameter's weight, gradient (both libtorch's memory, viewed as direct buffers,
 * looked up at each step) and moments (Java arrays) are read once and written once: the same formula as DJL's kernel
 * ({@code m = β₁m + (1 − β₁)g}, {@code v = β₂v + (1 − β₂)g²}, {@code w −= lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)},
 * weight decay added to the gradient) and the gradient zeroed for the next backward.
 *
 * <p>Writing libtorch's memory from Java is safe here because nothing else holds it during the update: the backward
 * pass has finished and freed its graph, and the weights are plain contiguous CPU tensors. Both views are looked up
 * again at every step rather than cached, so a tensor that libtorch or a checkpoint load replaced is never written
 * through a stale view.
 */
final class DirectAdam {
  private final List<Parameter> parameters = new ArrayList<>();
  private final List<float[]> means = new ArrayList<>();
  private final List<float[]> variances = new ArrayList<>();
  private final float learningRate;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;
  private final float[] ws;
  private final float[] gs;
  private int t;

  DirectAdam(
      PairList<String, Parameter> parameters,
      float learningRate,
      float beta1,
      float beta2,
      float epsilon,
      float weightDecay) {
    for (Parameter p : parameters.values()) {
      if (p.requiresGradient()) {
        int size = Math.toIntExact(p.getArray().size());
        this.parameters.add(p);
        means.add(new float[size]);
        variances.add(new float[size]);
      }
    }
    int largest = means.stream().mapToInt(a -> a.length).max().orElse(0);
    this.ws = new float[largest];
    this.gs = new float[largest];
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  /** Updates every parameter from its gradient and zeroes the gradient. */
  void step() {
    t++;
    // As DJL's Adam: the bias corrections in double, folded into the learning rate once per step.
    float corrected = (float) (learningRate * Math.sqrt(1.0 - Math.pow(beta2, t)) / (1.0 - Math.pow(beta1, t)));
    for (int i = 0; i < parameters.size(); i++) {
      // Looked up at each step: loading a checkpoint replaces a parameter's tensor.
      NDArray w = parameters.get(i).getArray();
      float[] m = means.get(i);
      try (PtNDArray g = JniUtils.getGradient((PtNDArray) w)) {
        if (g == null) {
          continue; // not reached by this step's backward (DJL skips it the same way, as a zero gradient)
        }
        update(view(w, m.length), view(g, m.length), m, variances.get(i), corrected);
      }
    }
  }

  private void update(FloatBuffer w, FloatBuffer g, float[] m, float[] v, float corrected) {
    int n = m.length;
    // Bulk copies into Java arrays and back: the JIT vectorises the loop over arrays, not one over buffers (about
    // 100 µs against 190 µs for 100,000 weights). Copying block by block was slower still: the loop with two index
    // offsets was not vectorised.
    w.get(0, ws, 0, n);
    g.get(0, gs, 0, n);
    float oneMinusBeta1 = 1f - beta1;
    float oneMinusBeta2 = 1f - beta2;
    for (int j = 0; j < n; j++) {
      float gj = gs[j] + weightDecay * ws[j];
      float mj = m[j] * beta1 + oneMinusBeta1 * gj;
      float vj = v[j] * beta2 + oneMinusBeta2 * gj * gj;
      m[j] = mj;
      v[j] = vj;
      ws[j] = ws[j] - mj * corrected / ((float) Math.sqrt(vj) + epsilon);
      gs[j] = 0f;
    }
    w.put(0, ws, 0, n);
    g.put(0, gs, 0, n);
  }

  private static FloatBuffer view(NDArray a, int size) {
    ByteBuffer bytes = JniUtils.getByteBuffer((PtNDArray) a, true);
    FloatBuffer floats = bytes.asFloatBuffer();
    if (floats.capacity() != size) {
      throw new IllegalStateException("a parameter's memory is not one dense block: " + a.getShape());
    }
    return floats;
  }
}
