package dev.kiln.training.store;

import dev.kiln.training.job.Deployment;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.Progress;
import dev.kiln.training.job.StepLoss;
import java.time.Instant;
import java.util.List;

/** Job changes a runner or the API makes, for tests outside the job package. */
final class JobChanges {
  private JobChanges() {}

  static Job withProgress(Job j, Progress p) {
    return new Job(
        j.id(),
        j.state(),
        j.request(),
        j.created(),
        j.started(),
        j.finished(),
        j.owner(),
        j.heartbeat(),
        j.cancelRequested(),
        p,
        j.history(),
        j.steps(),
        j.evaluation(),
        j.lineage(),
        j.error(),
        j.deployments(),
        j.createdBy(),
        j.sweep());
  }

  static Job withSteps(Job j, List<StepLoss> steps) {
    return new Job(
        j.id(),
        j.state(),
        j.request(),
        j.created(),
        j.started(),
        j.finished(),
        j.owner(),
        j.heartbeat(),
        j.cancelRequested(),
        j.progress(),
        j.history(),
        steps,
        j.evaluation(),
        j.lineage(),
        j.error(),
        j.deployments(),
        j.createdBy(),
        j.sweep());
  }

  static Job cancelRequested(Job j) {
    return new Job(
        j.id(),
        j.state(),
        j.request(),
        j.created(),
        j.started(),
        j.finished(),
        j.owner(),
        j.heartbeat(),
        true,
        j.progress(),
        j.history(),
        j.steps(),
        j.evaluation(),
        j.lineage(),
        j.error(),
        j.deployments(),
        j.createdBy(),
        j.sweep());
  }

  /** Succeeded, and deployed as {@code deployments}. */
  static Job succeeded(Job j, List<Deployment> deployments) {
    return new Job(
        j.id(),
        JobState.SUCCEEDED,
        j.request(),
        j.created(),
        j.created(),
        Instant.now(),
        j.owner(),
        j.heartbeat(),
        false,
        j.progress(),
        j.history(),
        j.steps(),
        j.evaluation(),
        j.lineage(),
        j.error(),
        deployments,
        j.createdBy(),
        j.sweep());
  }
}
