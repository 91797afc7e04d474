package dev.kiln.core.scheduling;

import dev.kiln.core.engine.Gate;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A fake model whose output row i depends only on input row i, so a batcher that mixes rows up is caught: {@code y = 2x
 * + 1} (same shape as {@code x}) and {@code s} = the sum of each row of {@code x} (shape [n, 1]). Any NaN in {@code x}
 * makes the whole run throw. It records every run it was called with.
 */
final class EchoInstance implements ModelInstance {
  /** One call of {@link #run}: rows along dimension 0, the width of dimension 1, the outputs asked for. */
  record Run(long rows, long width, Set<String> outputs) {}

  final ConcurrentLinkedQueue<Run> runs = new ConcurrentLinkedQueue<>();
  private volatile Gate gate;

  /** Makes every later run wait at {@code gate} until it opens. */
  EchoInstance blockAt(Gate gate) {
    this.gate = gate;
    return this;
  }

  List<Long> batchRows() {
    return runs.stream().map(Run::rows).toList();
  }

  @Override
  public ModelSignature signature() {
    return new ModelSignature(
        List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, -1})),
        List.of(
            new TensorSpec("y", DataType.FP32, new long[] {-1, -1}),
            new TensorSpec("s", DataType.FP32, new long[] {-1, 1})));
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputs) {
    Tensor x = inputs.get("x");
    long[] shape = x.shape();
    runs.add(new Run(shape[0], shape[1], Set.copyOf(outputs)));
    Gate g = gate;
    if (g != null) {
      g.pass();
    }
    float[] in = x.floats();
    int width = Math.toIntExact(shape[1]);
    float[] y = new float[in.length];
    float[] s = new float[Math.toIntExact(shape[0])];
    for (int i = 0; i < in.length; i++) {
      if (Float.isNaN(in[i])) {
        throw new IllegalStateException("NaN in row " + i / width);
      }
      y[i] = 2 * in[i] + 1;
      s[i / width] += in[i];
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (outputs.contains("y")) {
      out.put("y", Tensor.ofFloats(shape, y));
    }
    if (outputs.contains("s")) {
      out.put("s", Tensor.ofFloats(new long[] {shape[0], 1}, s));
    }
    return out;
  }

  @Override
  public void close() {}
}
