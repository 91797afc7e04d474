package dev.kiln.training.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.engine.EpochMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

// Size: an immutable record of 18 fields whose withers each restate every field; splitting them would scatter one type.
/**
 * A training job as stored: immutable snapshots, replaced whole on every change. Everything a replica needs to report
 * or resume the job is here or in the job's directory (checkpoints, the exported model), never in the memory of the
 * process running it.
 *
 * @param owner the process running it; with {@code heartbeat}, lets another process take over a job whose runner died
 * @param steps the run's step losses, at most {@link StepLoss#MAX_POINTS} evenly spaced (empty in jobs stored before)
 * @param evaluation metrics on the held-out test split (a classification or regression report)
 * @param createdBy the API key id that submitted the job ({@code anonymous} with auth off; null for jobs stored before
 *     jobs had owners, which only an admin sees): only that key and admins may see or act on it
 * @param sweep the sweep this job is a trial of; null for a job submitted on its own (and for jobs stored before jobs
 *     knew their sweep)
 */
public record Job(
    long id,
    JobState state,
    JobRequest request,
    Instant created,
    Instant started,
    Instant finished,
    String owner,
    Instant heartbeat,
    boolean cancelRequested,
    Progress progress,
    List<EpochMetrics> history,
    List<StepLoss> steps,
    JsonNode evaluation,
    Lineage lineage,
    String error,
    List<Deployment> deployments,
    String createdBy,
    SweepTrial sweep) {
  public Job {
    history = history == null ? List.of() : List.copyOf(history);
    steps = steps == null ? List.of() : List.copyOf(steps); // null: stored before jobs kept their steps
    deployments = deployments == null ? List.of() : List.copyOf(deployments);
  }

  /** A new job as a store creates it, under the id the store drew. */
  public static Job queued(long id, JobRequest request, String createdBy, SweepTrial sweep, Instant now) {
    return new Job(
        id,
        JobState.QUEUED,
        request,
        now,
        null,
        null,
        null,
        null,
        false,
        null,
        List.of(),
        List.of(),
        null,
        null,
        null,
        List.of(),
        createdBy,
        sweep);
  }

  Job withState(JobState s) {
    return new Job(
        id,
        s,
        request,
        created,
        started,
        finished,
        owner,
        heartbeat,
        cancelRequested,
        progress,
        history,
        steps,
        evaluation,
        lineage,
        error,
        deployments,
        createdBy,
        sweep);
  }

  /** Taken by {@code by} (a runner) at {@code now}: running, with a fresh heartbeat. */
  public Job claimedBy(String by, Instant now) {
    return new Job(
        id,
        JobState.RUNNING,
        request,
        created,
        started == null ? now : started,
        null,
        by,
        now,
        cancelRequested,
        progress,
        history,
        steps,
        evaluation,
        lineage,
        error,
        deployments,
        createdBy,
        sweep);
  }

  Job beat(Instant now) {
    return new Job(
        id,
        state,
        request,
        created,
        started,
        finished,
        owner,
        now,
        cancelRequested,
        progress,
        history,
        steps,
        evaluation,
        lineage,
        error,
        deployments,
        createdBy,
        sweep);
  }

  Job released() {
    return new Job(
        id,
        JobState.QUEUED,
        request,
        created,
        started,
        finished,
        null,
        null,
        cancelRequested,
        progress,
        history,
        steps,
        evaluation,
        lineage,
        error,
        deployments,
        createdBy,
        sweep);
  }

  Job cancelRequestedNow() {
    return new Job(
        id,
        state,
        request,
        created,
        started,
        finished,
        owner,
        heartbeat,
        true,
        progress,
        history,
        steps,
        evaluation,
        lineage,
        error,
        deployments,
        createdBy,
        sweep);
  }

  /**
   * This job without its step losses, as a listing shows it: up to {@value StepLoss#MAX_POINTS} points per job would
   * make a page of jobs tens of times larger, and a list draws no curves (the job itself keeps them).
   */
  public Job withoutSteps() {
    return steps.isEmpty() ? this : withProgress(progress, List.of());
  }

  /** The latest step, and the steps recorded so far ({@link StepLoss#add}). */
  Job withProgress(Progress p, List<StepLoss> points) {
    return new Job(
        id,
        state,
        request,
        created,
        started,
        finished,
        owner,
        heartbeat,
        cancelRequested,
        p,
        history,
        points,
        evaluation,
        lineage,
        error,
        deployments,
        createdBy,
        sweep);
  }

  Job withEpoch(EpochMetrics e, List<StepLoss> points) {
    List<EpochMetrics> h = new ArrayList<>(history);
    h.removeIf(x -> x.epoch() >= e.epoch()); // a resumed run repeats no epoch, but replays are harmless
    h.add(e);
    return new Job(
        id,
        state,
        request,
        created,
        started,
        finished,
        owner,
        heartbeat,
        cancelRequested,
        progress,
        h,
        points,
        evaluation,
        lineage,
        error,
        deployments,
        createdBy,
        sweep);
  }

  /**
   * @param h the run's history as the engine has it (across resumes); empty keeps what was recorded
   */
  Job succeeded(Instant now, List<EpochMetrics> h, JsonNode eval, Lineage l) {
    return new Job(
        id,
        JobState.SUCCEEDED,
        request,
        created,
        started,
        now,
        owner,
        heartbeat,
        cancelRequested,
        progress,
        h.isEmpty() ? history : h,
        steps,
        eval,
        l,
        null,
        deployments,
        createdBy,
        sweep);
  }

  Job ended(JobState s, Instant now, String why) {
    return new Job(
        id,
        s,
        request,
        created,
        started,
        now,
        owner,
        heartbeat,
        cancelRequested,
        progress,
        history,
        steps,
        evaluation,
        lineage,
        why,
        deployments,
        createdBy,
        sweep);
  }

  Job deployed(Deployment d) {
    List<Deployment> ds = new ArrayList<>(deployments);
    ds.add(d);
    return new Job(
        id,
        state,
        request,
        created,
        started,
        finished,
        owner,
        heartbeat,
        cancelRequested,
        progress,
        history,
        steps,
        evaluation,
        lineage,
        error,
        ds,
        createdBy,
        sweep);
  }
}
