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
   * {@code history} with {@code next} recorded, still at most {@link #MAX_POINTS} points. The run's steps so far are
   * cut into {@code MAX_POINTS} equal spans at most, each a power of two steps wide ({@code 1} while the run has at
   * most {@code MAX_POINTS} steps, then 2, 4, ...), and each span keeps its latest point: every reported step while
   * there is room, then points evenly spread over the whole run, the newest always last. Engines report steps at their
   * own pace (DJL's every quarter second or so, and each epoch's last), so nothing here assumes every step comes. A
   * step at or before the last one recorded (a run resumed from its checkpoint repeats an epoch) replaces the points
   * from there on.
   */
  public static List<StepLoss> add(List<StepLoss> history, StepLoss next) {
    long width = 1;
    while ((next.step() + width - 1) / width > MAX_POINTS) {
      width *= 2;
    }
    List<StepLoss> out = new ArrayList<>(Math.min(history.size() + 1, MAX_POINTS));
    for (StepLoss s : history) {
      if (s.step() >= next.step()) {
        break; // steps are recorded in order
      }
      if (!out.isEmpty() && span(out.getLast(), width) == span(s, width)) {
        out.removeLast(); // the later point of a span stands for it
      }
      out.add(s);
    }
    if (!out.isEmpty() && span(out.getLast(), width) == span(next, width)) {
      out.removeLast();
    }
    out.add(next);
    return List.copyOf(out);
  }

  private static long span(StepLoss s, long width) {
    return (s.step() - 1) / width;
  }
}
