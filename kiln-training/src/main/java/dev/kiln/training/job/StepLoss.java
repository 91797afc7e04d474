package dev.kiln.training.job;

import java.util.ArrayList;
import java.util.List;

/**
 * One optimisation step's training loss, kept in a job so a page opened after the steps went by can draw them: the same
 * numbers the {@code step} events carried live.
 *
 * @param step the step's index across the whole run, from 1: {@code (epoch - 1) * steps per epoch + step in epoch}
 * @param epoch the epoch it belongs to, from 1
 * @param loss the epoch's running mean training loss at that step (as {@link Progress#loss()})
 */
public record StepLoss(long step, int epoch, double loss) {
  /** The most points a job keeps. */
  public static final int MAX_POINTS = 500;

  /**
   * {@code history} with {@code next} recorded, still at most {@link #MAX_POINTS} points. Every step is kept until the
   * limit; then every other point goes and only every second step is recorded from there, and so on (the stride
   * doubles), so the points stay evenly spaced over the run. A step at or before the last one recorded (a run resumed
   * from its checkpoint repeats an epoch) replaces the points from there on.
   */
  public static List<StepLoss> add(List<StepLoss> history, StepLoss next) {
    List<StepLoss> out = new ArrayList<>(history);
    out.removeIf(s -> s.step() >= next.step());
    long stride = stride(out);
    if (next.step() % stride != 0) {
      return out.size() == history.size() ? history : List.copyOf(out);
    }
    out.add(next);
    for (long wider = stride * 2; out.size() > MAX_POINTS; wider *= 2) {
      long keep = wider;
      out.removeIf(s -> s.step() % keep != 0);
    }
    return List.copyOf(out);
  }

  /** The spacing {@link #add} keeps: the smallest gap between recorded steps (1 until the first thinning). */
  private static long stride(List<StepLoss> points) {
    long stride = Long.MAX_VALUE;
    for (int i = 1; i < points.size(); i++) {
      stride = Math.min(stride, points.get(i).step() - points.get(i - 1).step());
    }
    return stride == Long.MAX_VALUE ? 1 : stride;
  }
}
