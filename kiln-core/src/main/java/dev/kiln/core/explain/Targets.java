package dev.kiln.core.explain;

import dev.kiln.core.error.KilnException;
import java.util.stream.IntStream;

/** Which output elements an explanation covers. */
final class Targets {
  private Targets() {}

  /** The requested indices, checked against the output's size; all of them when none were requested. */
  static int[] resolve(int[] targets, int outputs) {
    if (targets.length == 0) {
      return IntStream.range(0, outputs).toArray();
    }
    for (int t : targets) {
      if (t < 0 || t >= outputs) {
        throw KilnException.invalid(
            "target " + t + " is not an output index (the model gives " + outputs + " values per row)");
      }
    }
    return targets.clone();
  }
}
