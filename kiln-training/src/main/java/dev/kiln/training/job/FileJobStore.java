package dev.kiln.training.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Jobs as JSON files, {@code <root>/<id>/job.json}, for a single machine or replicas sharing a filesystem. A {@link
 * JsonDirectory} keeps them: every read-modify-write holds the directory's lock and every write is atomic.
 */
public final class FileJobStore implements JobStore {
  private final Path root;
  private final JsonDirectory dir;

  public FileJobStore(Path root) {
    this.root = root;
    this.dir = new JsonDirectory(root, "job");
  }

  @Override
  public Job create(JobRequest request, String createdBy) {
    return create(request, createdBy, (SweepTrial) null);
  }

  @Override
  public Job create(JobRequest request, String createdBy, SweepTrial trial) {
    return dir.locked(() -> {
      long id = list().stream().mapToLong(Job::id).max().orElse(0) + 1;
      while (true) {
        try {
          Files.createDirectory(root.resolve(Long.toString(id)));
          break;
        } catch (FileAlreadyExistsException e) {
          id++; // a directory left by a crash between creating it and writing the job
        } catch (IOException e) {
          throw new UncheckedIOException("cannot create a directory for job " + id, e);
        }
      }
      Job job = Job.queued(id, request, createdBy, trial, Instant.now());
      write(job);
      return job;
    });
  }

  @Override
  public Optional<Job> get(long id) {
    return dir.read(root.resolve(Long.toString(id)).resolve("job.json"), Job.class, id);
  }

  @Override
  public List<Job> list() {
    List<Job> jobs = new ArrayList<>();
    try (var dirs = Files.list(root)) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String name = d.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
          get(Long.parseLong(name)).ifPresent(jobs::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list jobs", e);
    }
    jobs.sort(Comparator.comparingLong(Job::id).reversed());
    return jobs;
  }

  @Override
  public Optional<Job> update(long id, UnaryOperator<Job> change) {
    return dir.locked(() ->
        get(id)
            .map(j -> {
              Job next = change.apply(j);
              if (next != j) {
                write(next);
              }
              return next;
            }));
  }

  @Override
  public Optional<Job> claim(String owner, Instant now, Duration lease) {
    return dir.locked(() -> {
      List<Job> jobs = new ArrayList<>(list());
      jobs.sort(Comparator.comparingLong(Job::id));
      for (Job j : jobs) {
        boolean orphaned =
            j.state() == JobState.RUNNING && (j.heartbeat() == null || j.heartbeat().plus(lease).isBefore(now));
        if (j.state() == JobState.QUEUED || orphaned) {
          Job claimed = j.claimedBy(owner, now);
          write(claimed);
          return Optional.of(claimed);
        }
      }
      return Optional.<Job>empty();
    });
  }

  @Override
  public Path directory(long id) {
    return root.resolve(Long.toString(id));
  }

  private void write(Job job) {
    dir.write(directory(job.id()).resolve("job.json"), job, job.id());
  }
}
