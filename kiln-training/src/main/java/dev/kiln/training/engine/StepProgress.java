package dev.kiln.training.engine;

/**
 * One optimisation step.
 *
 * @param loss running mean of the training loss over this epoch so far
 * @param examplesPerSecond training throughput over this epoch so far
 * @param epochSeconds time spent in this epoch so far
 */
public record StepProgress(
    int epoch, int epochs, int step, int steps, double loss, double examplesPerSecond, double epochSeconds) {
  /** Seconds to the end of the run at this epoch's pace. */
  public double etaSeconds() {
    long remaining = (long) (epochs - epoch) * steps + (steps - step);
    return step == 0 ? Double.NaN : remaining * epochSeconds / step;
  }
}
