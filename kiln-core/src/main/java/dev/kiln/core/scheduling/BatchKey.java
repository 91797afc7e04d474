package dev.kiln.core.scheduling;

import dev.kiln.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Requests stack into one execution only when they have the same inputs (name, datatype, every dimension but the first)
 * and ask for the same outputs; this key captures exactly that.
 */
record BatchKey(List<Object> parts) {
  static BatchKey of(Map<String, Tensor> inputs, Set<String> outputs) {
    List<Object> parts = new ArrayList<>(inputs.size() * 3 + 1);
    for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
      Tensor t = e.getValue();
      parts.add(e.getKey());
      parts.add(t.type());
      parts.add(trailingDims(t.shape()));
    }
    parts.add(Set.copyOf(outputs));
    return new BatchKey(List.copyOf(parts));
  }

  /** The rank, then every dimension but the first. */
  private static List<Long> trailingDims(long[] shape) {
    List<Long> dims = new ArrayList<>(shape.length);
    dims.add((long) shape.length);
    for (int i = 1; i < shape.length; i++) {
      dims.add(shape[i]);
    }
    return List.copyOf(dims);
  }
}
