package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A sweep as the API shows it, derived from its trials' jobs when read: the sweep's state, each trial's state and
 * objective, and the best trial so far. The curves of a trial are its job's history ({@code GET /api/v1/jobs/{job}}).
 *
 * @param state queued until a trial starts, running while any is queued or running; then cancelled if the sweep was,
 *     succeeded if any trial did, cancelled if every trial was, else failed
 * @param best the best succeeded trial's number; null while no trial has succeeded with a finite objective
 * @param bestJob that trial's job
 * @param bestValue its objective value
 */
public record SweepView(
    long id,
    JobState state,
    Strategy strategy,
    long seed,
    Objective objective,
    Integer best,
    Long bestJob,
    Double bestValue,
    List<TrialView> trials,
    Instant created,
    String createdBy,
    Instant cancelled,
    JsonNode request) {

  /**
   * @param objective the objective at the trial's best epoch (the weights it keeps); null before its first epoch or
   *     when not finite (a diverged trial)
   * @param bestEpoch the epoch whose weights the trial keeps (so far, while it runs)
   * @param epochs epochs run
   * @param stoppedEarly early stopping ended it before its last epoch
   */
  public record TrialView(
      int number,
      long job,
      Map<String, JsonNode> settings,
      JobState state,
      Double objective,
      Integer bestEpoch,
      int epochs,
      boolean stoppedEarly,
      String error) {}

  /** The view of {@code sweep}, reading each trial's job through {@code jobs}. */
  static SweepView of(Sweep sweep, LongFunction<Optional<Job>> jobs) {
    Objective o = sweep.objective();
    List<TrialView> trials = sweep.trials().stream().map(t -> trial(t, jobs.apply(t.job()), o)).toList();
    TrialView best = null;
    for (TrialView t : trials) {
      if (t.state() == JobState.SUCCEEDED
          && t.objective() != null
          && (best == null || o.better(t.objective(), best.objective()))) {
        best = t;
      }
    }
    return new SweepView(
        sweep.id(),
        state(trials, sweep.cancelled() != null),
        sweep.strategy(),
        sweep.seed(),
        o,
        best == null ? null : best.number(),
        best == null ? null : best.job(),
        best == null ? null : best.objective(),
        trials,
        sweep.created(),
        sweep.createdBy(),
        sweep.cancelled(),
        sweep.request());
  }

  private static TrialView trial(Sweep.Trial t, Optional<Job> found, Objective o) {
    if (found.isEmpty()) {
      return new TrialView(t.number(), t.job(), t.settings(), JobState.FAILED, null, null, 0, false, "its job is gone");
    }
    Job job = found.get();
    List<EpochMetrics> history = job.history();
    Integer bestEpoch = job.lineage() != null ? Integer.valueOf(job.lineage().bestEpoch()) : null;
    if (bestEpoch == null) {
      for (EpochMetrics m : history) {
        if (bestEpoch == null || o.better(m.get(o.metric()), value(history, bestEpoch, o))) {
          bestEpoch = m.epoch();
        }
      }
    }
    double v = bestEpoch == null ? Double.NaN : value(history, bestEpoch, o);
    return new TrialView(
        t.number(),
        t.job(),
        t.settings(),
        job.state(),
        Double.isFinite(v) ? v : null,
        bestEpoch,
        history.size(),
        job.lineage() != null && job.lineage().stoppedEarly(),
        job.error());
  }

  private static double value(List<EpochMetrics> history, int epoch, Objective o) {
    return history.stream()
        .filter(m -> m.epoch() == epoch)
        .mapToDouble(m -> m.get(o.metric()))
        .findFirst()
        .orElse(Double.NaN);
  }

  private static JobState state(List<TrialView> trials, boolean cancelled) {
    boolean queued = trials.stream().anyMatch(t -> t.state() == JobState.QUEUED);
    boolean running = trials.stream().anyMatch(t -> t.state() == JobState.RUNNING);
    if (running || queued) {
      return running || trials.stream().anyMatch(t -> t.state().finished()) ? JobState.RUNNING : JobState.QUEUED;
    }
    if (cancelled) {
      return JobState.CANCELLED;
    }
    if (trials.stream().anyMatch(t -> t.state() == JobState.SUCCEEDED)) {
      return JobState.SUCCEEDED;
    }
    return trials.stream().allMatch(t -> t.state() == JobState.CANCELLED) ? JobState.CANCELLED : JobState.FAILED;
  }
}
