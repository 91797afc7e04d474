package dev.kiln.core.explain;

/** A model seen as a function of rows: one output vector per input row, computed in as few calls as it likes. */
@FunctionalInterface
public interface BatchModel {
  /**
   * @param rows input rows, each the flattened features of one example
   * @return one flattened output vector per row, in order
   */
  double[][] apply(double[][] rows);
}
