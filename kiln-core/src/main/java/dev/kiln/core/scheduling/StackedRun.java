package dev.kiln.core.scheduling;

import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One execution for a batch of compatible requests: stacks their inputs along dimension 0, runs once, and slices each
 * output back by the rows each request brought, so every caller gets exactly its own rows.
 */
final class StackedRun {
  private StackedRun() {}

  static List<Map<String, Tensor>> run(ModelInstance instance, List<Work> live, long rows) {
    Map<String, Tensor> stacked = new LinkedHashMap<>();
    for (String name : live.get(0).inputs.keySet()) {
      List<Tensor> parts = new ArrayList<>(live.size());
      for (Work w : live) {
        parts.add(w.inputs.get(name));
      }
      stacked.put(name, Tensor.concatRows(parts));
    }
    Map<String, Tensor> out = instance.run(stacked, live.get(0).outputs);
    List<Map<String, Tensor>> split = new ArrayList<>(live.size());
    for (int i = 0; i < live.size(); i++) {
      split.add(new LinkedHashMap<>());
    }
    for (Map.Entry<String, Tensor> e : out.entrySet()) {
      Tensor t = e.getValue();
      if (t.rank() == 0 || t.rows() != rows) {
        throw new KilnException(
            ErrorKind.INTERNAL,
            "output " + e.getKey() + " does not keep the batch dimension, so the model cannot batch");
      }
      long at = 0;
      for (int i = 0; i < live.size(); i++) {
        long n = live.get(i).rows;
        split.get(i).put(e.getKey(), t.rowSlice(at, n));
        at += n;
      }
    }
    return split;
  }
}
