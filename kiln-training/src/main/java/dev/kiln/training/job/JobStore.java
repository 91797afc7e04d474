package dev.kiln.training.job;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

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

  /**
   * One page of the jobs that pass {@code filter}, newest first, with how many pass it. The default filters {@link
   * #list} in memory; a store on a database filters and pages in its query.
   */
  default Page<Job> list(JobFilter filter, PageRequest page) {
    return page.of(list().stream().filter(filter::matches).toList());
  }

  /** Applies {@code change} to the current job atomically; empty if there is no such job. */
  Optional<Job> update(long id, UnaryOperator<Job> change);

  /**
   * Claims the oldest job that is queued, or running under an owner whose heartbeat is older than {@code lease} (its
   * process died), for {@code owner}.
   */
  Optional<Job> claim(String owner, Instant now, Duration lease);

  /**
   * This process's folder for the job's files (its splits record, checkpoints and exported model), where the engine
   * writes them. In a store whose folder is not shared by every replica, a file written there is seen by the others
   * once {@link #publish}ed.
   */
  Path directory(long id);

  /**
   * Makes {@code name} (a path relative to {@link #directory}) visible to every replica: a file, or a folder mirrored
   * whole (files gone from it are unpublished). Nothing to do where the folder is already shared.
   */
  default void publish(long id, String name) {}

  /**
   * Brings what was published of the job into {@link #directory}, so a job taken over from a replica that died resumes
   * from its last published checkpoint. Nothing to do where the folder is already shared.
   */
  default void restore(long id) {}

  /**
   * The job's file {@code name} as last published, for reading: in {@link #directory} where that is shared, else a
   * local copy fetched from the shared store; empty if there is none.
   */
  default Optional<Path> file(long id, String name) {
    Path file = directory(id).resolve(name);
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /**
   * Deletes the job's files (splits record, checkpoints, exported model), wherever they are kept, for a job whose
   * dataset version was deleted; the job itself stays, with its lineage and metrics. The default deletes everything in
   * {@link #directory} but the job's own record ({@code job.json}).
   */
  default void deleteFiles(long id) {
    Path dir = directory(id);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        if (!p.equals(dir) && !p.equals(dir.resolve("job.json"))) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the files of job " + id, e);
    }
  }
}
