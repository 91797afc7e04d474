package dev.kiln.core.explain;

/**
 * One output element's explanation.
 *
 * @param target the index of the output element (class) explained
 * @param prediction the model's output for the explained row
 * @param baseValue the expected output without any feature (over the background, or the baseline image)
 * @param values one attribution per input element, in the input's row-major order
 */
public record Attribution(int target, double prediction, double baseValue, double[] values) {
  public Attribution {
    values = values.clone();
  }

  @Override
  public double[] values() {
    return values.clone();
  }
}
