package dev.kiln.training.job;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where jobs live, shared by every replica. Updates are atomic read-modify-writes, so two processes never both claim a
 * job and a cancel request is never lost to a concurrent progress update.
 */
public interface JobStore {
  /** Queues a job owned by {@code createdBy} (a key id; {@code anonymous} with auth off). */
  Job create(JobRequest request, String createdBy);

  /** Queues a job owned by {@code createdBy} that runs {@code trial} of a sweep. */
  Job create(JobRequest request, String createdBy, SweepTrial trial);

  /** {@link #create(JobRequest, String)} with auth off. */
  default Job create(JobRequest request) {
    return create(request, "anonymous");
  }

  Optional<Job> get(long id);

  /** Newest first. */
  List<Job> list();

  /** Applies {@code change} to the current job atomically; empty if there is no such job. */
  Optional<Job> update(long id, UnaryOperator<Job> change);

  /**
   * Claims the oldest job that is queued, or running under an owner whose heartbeat is older than {@code lease} (its
   * process died), for {@code owner}.
   */
  Optional<Job> claim(String owner, Instant now, Duration lease);

  /** A directory of the job's own, for checkpoints and the exported model. */
  Path directory(long id);
}
