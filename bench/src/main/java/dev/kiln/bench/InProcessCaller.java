package dev.kiln.bench;

import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;

/**
 * Calls ONNX Runtime directly through the engine's {@link ModelInstance}, on the worker's own thread.
 *
 * <p>Two variants. With direct inputs (the ceiling every server mode is compared with) each row's tensor is built once
 * over a direct buffer, which the engine hands to ONNX Runtime in place, so a call costs the model plus the engine's
 * own per-call work. With heap inputs each call builds its tensor from the row's {@code float[]}, the way a plain Java
 * caller would, and the engine copies it into a direct buffer it allocates for that call; the difference between the
 * two is what that allocation costs.
 */
final class InProcessCaller implements Caller {
  private static final long[] SHAPE = {1, Workload.INPUTS};
  private static final Set<String> OUTPUTS = Set.of("logits");

  private final ModelInstance instance;
  private final float[][] rows;
  private final Tensor[] directTensors; // null for heap inputs

  private InProcessCaller(ModelInstance instance, float[][] rows, Tensor[] directTensors) {
    this.instance = instance;
    this.rows = rows;
    this.directTensors = directTensors;
  }

  /** Callers sharing one instance (ONNX Runtime sessions take concurrent runs, and never write inputs). */
  static Source source(ModelInstance instance, Workload workload, boolean directInputs) {
    float[][] rows = workload.rows();
    Tensor[] direct = null;
    if (directInputs) {
      direct = new Tensor[rows.length];
      for (int i = 0; i < rows.length; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(rows[i].length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(rows[i]);
        direct[i] = Tensor.of(DataType.FP32, SHAPE, b);
      }
    }
    Tensor[] tensors = direct;
    return () -> new InProcessCaller(instance, rows, tensors);
  }

  @Override
  public float[] call(int row, boolean decode) {
    Tensor input = directTensors != null ? directTensors[row] : Tensor.ofFloats(SHAPE, rows[row]);
    Tensor logits = instance.run(Map.of("input", input), OUTPUTS).get("logits");
    if (logits == null || logits.elementCount() != Workload.OUTPUTS) {
      throw new IllegalStateException("no 1x" + Workload.OUTPUTS + " 'logits' in the result");
    }
    return decode ? logits.floats() : null;
  }

  @Override
  public void close() {}
}
