package dev.kiln.training.sweep;

import dev.kiln.training.job.JobState;
import java.time.Instant;
import java.util.List;

/**
 * A sweep as {@code GET /api/v1/sweeps} lists it: what a table of sweeps shows, without the trials (a sweep may have up
 * to {@code --sweep-max-trials} of them, each with its settings), which {@link SweepView} has.
 *
 * @param best the best succeeded trial's number; null while none has succeeded with a finite objective
 * @param bestJob that trial's job
 * @param bestValue its objective value
 */
public record SweepSummary(
    long id,
    JobState state,
    Strategy strategy,
    Objective objective,
    TrialCounts trialCounts,
    Integer best,
    Long bestJob,
    Double bestValue,
    Instant created,
    String createdBy,
    Instant cancelled) {

  /** How many trials there are, and how many are in each state. */
  public record TrialCounts(int total, int queued, int running, int succeeded, int failed, int cancelled) {
    static TrialCounts of(List<SweepView.TrialView> trials) {
      int[] n = new int[JobState.values().length];
      trials.forEach(t -> n[t.state().ordinal()]++);
      return new TrialCounts(
          trials.size(),
          n[JobState.QUEUED.ordinal()],
          n[JobState.RUNNING.ordinal()],
          n[JobState.SUCCEEDED.ordinal()],
          n[JobState.FAILED.ordinal()],
          n[JobState.CANCELLED.ordinal()]);
    }
  }

  static SweepSummary of(SweepView v) {
    return new SweepSummary(
        v.id(),
        v.state(),
        v.strategy(),
        v.objective(),
        TrialCounts.of(v.trials()),
        v.best(),
        v.bestJob(),
        v.bestValue(),
        v.created(),
        v.createdBy(),
        v.cancelled());
  }
}
