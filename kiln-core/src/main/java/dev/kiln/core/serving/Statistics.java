package dev.kiln.core.serving;

/**
 * Cumulative statistics of one model version, shaped like Triton's statistics extension.
 *
 * @param lastInferenceMillis epoch milliseconds of the last request, 0 if none
 * @param inferenceCount rows inferred
 * @param executionCount engine executions (a batch of several requests counts once)
 */
public record Statistics(
    String name,
    String version,
    long lastInferenceMillis,
    long inferenceCount,
    long executionCount,
    Duration success,
    Duration fail,
    Duration queue,
    Duration computeInfer) {

  /** A count and the total nanoseconds those events took. */
  public record Duration(long count, long ns) {}
}
