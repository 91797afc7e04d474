package dev.kiln.scoring;

import java.time.Duration;
import java.time.Instant;

/**
 * One batch-scoring job, as stored and as the API shows it. Immutable: each change is a new record, written by the
 * store in one transaction.
 *
 * @param owner the runner (one per replica) that holds the job while it runs; null otherwise
 * @param heartbeat when the owner last renewed its lease; null when not running
 * @param rowsDone rows whose predictions are in committed parts of the output
 * @param rowsTotal the dataset version's rows, as counted at upload
 * @param parts committed parts of the output
 * @param rowsPerSecond rows scored per second by the current (or last) run
 * @param error why it failed; null unless FAILED or CANCELLED
 * @param runs how many times a runner claimed it (more than one after a takeover or a restart)
 */
public record ScoringJob(
    long id,
    ScoringState state,
    ScoringRequest request,
    String createdBy,
    String owner,
    Instant heartbeat,
    boolean cancelRequested,
    long rowsDone,
    long rowsTotal,
    int parts,
    double rowsPerSecond,
    Instant created,
    Instant started,
    Instant finished,
    String error,
    int runs) {

  static ScoringJob queued(long id, ScoringRequest request, String createdBy, long rowsTotal, Instant now) {
    return new ScoringJob(
        id, ScoringState.QUEUED, request, createdBy, null, null, false, 0, rowsTotal, 0, 0, now, null, null, null, 0);
  }

  ScoringJob claimedBy(String runner, Instant now) {
    return new ScoringJob(
        id,
        ScoringState.RUNNING,
        request,
        createdBy,
        runner,
        now,
        cancelRequested,
        rowsDone,
        rowsTotal,
        parts,
        0,
        created,
        started == null ? now : started,
        null,
        null,
        runs + 1);
  }

  ScoringJob beat(Instant now) {
    return with(state, owner, now, cancelRequested, rowsDone, parts, rowsPerSecond, finished, error);
  }

  /** A part of {@code rows} rows committed, after {@code elapsed} of this run in which {@code runRows} were scored. */
  ScoringJob committed(long rows, long runRows, Duration elapsed) {
    double rate = elapsed.isZero() ? 0 : runRows / (elapsed.toNanos() / 1e9);
    return with(state, owner, heartbeat, cancelRequested, rowsDone + rows, parts + 1, rate, finished, error);
  }

  ScoringJob ended(ScoringState end, Instant now, String why) {
    return with(end, null, null, cancelRequested, rowsDone, parts, rowsPerSecond, now, why);
  }

  /** Back in the queue, untouched: its runner's replica is shutting down; the next claim resumes it. */
  ScoringJob released() {
    return with(ScoringState.QUEUED, null, null, cancelRequested, rowsDone, parts, rowsPerSecond, finished, error);
  }

  /** Cancelled at once if queued; a running job's runner sees the flag at its next batch or heartbeat. */
  ScoringJob cancelled(Instant now) {
    if (state.finished()) {
      return this;
    }
    if (state == ScoringState.QUEUED) {
      return ended(ScoringState.CANCELLED, now, "cancelled");
    }
    return with(state, owner, heartbeat, true, rowsDone, parts, rowsPerSecond, finished, error);
  }

  private ScoringJob with(
      ScoringState s, String o, Instant beat, boolean cancel, long done, int p, double rate, Instant end, String why) {
    return new ScoringJob(
        id, s, request, createdBy, o, beat, cancel, done, rowsTotal, p, rate, created, started, end, why, runs);
  }
}
