package dev.kiln.training.store;

import dev.kiln.training.job.Job;
import dev.kiln.training.job.Progress;

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
        j.evaluation(),
        j.lineage(),
        j.error(),
        j.deployments(),
        j.createdBy(),
        j.sweep());
  }
}
