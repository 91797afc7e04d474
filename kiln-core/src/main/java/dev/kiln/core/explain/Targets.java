package dev.kiln.core.explain;

import dev.kiln.core.error.KilnException;
import java.util.BitSet;
import java.util.stream.IntStream;

/** Which output elements an explanation covers. */
final class Targets {
  private Targets() {}

  /**
   * The requested indices, each once and checked against the output's size (values per row: one per class for a
   * classifier's scores); all of them when none were requested.
   */
  static int[] resolve(int[] targets, int outputs) {
    if (targets.length == 0) {
      return IntStream.range(0, outputs).toArray();
    }
    BitSet seen = new BitSet(outputs);
    for (int t : targets) {
      if (t < 0 || t >= outputs) {
        throw KilnException.invalid(
            "target " + t + " is not an output index (the model gives " + outputs + " values per row)");
      }
      if (seen.get(t)) {
        throw KilnException.invalid("target " + t + " is asked for twice in parameters.targets");
      }
      seen.set(t);
    }
    return targets.clone();
  }
}
