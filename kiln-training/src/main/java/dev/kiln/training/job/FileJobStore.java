package dev.kiln.training.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Jobs as JSON files, {@code <root>/<id>/job.json}, for a single machine or replicas sharing a filesystem. Every
 * read-modify-write holds an exclusive lock on {@code <root>/.lock} (a file lock, so it excludes other processes, plus
 * a monitor, since a JVM may hold a file lock only once), and every write replaces the file atomically, so a crash
 * leaves the previous or the next state, never half of one.
 */
public final class FileJobStore implements JobStore {
  private static final ObjectMapper JSON = JobJson.MAPPER;

  private final Path root;

  /** One monitor per directory in this JVM: a JVM may hold a directory's file lock only once at a time. */
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final Object monitor;

  public FileJobStore(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root);
      this.monitor = MONITORS.computeIfAbsent(root.toRealPath(), p -> new Object());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the job directory " + root, e);
    }
  }

  @Override
  public Job create(JobRequest request, String createdBy) {
    return create(request, createdBy, (SweepTrial) null);
  }

  @Override
  public Job create(JobRequest request, String createdBy, SweepTrial trial) {
    return locked(() -> {
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
    Path file = root.resolve(Long.toString(id)).resolve("job.json");
    if (id <= 0 || !Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), Job.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read job " + id, e);
    }
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
    return locked(() ->
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
    return locked(() -> {
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
    Path dir = directory(job.id());
    Path tmp = dir.resolve("job.json.tmp");
    try {
      JSON.writeValue(tmp.toFile(), job);
      Files.move(tmp, dir.resolve("job.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write job " + job.id(), e);
    }
  }

  private <T> T locked(Supplier<T> action) {
    synchronized (monitor) {
      try (FileChannel ch =
              FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return action.get();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock the job store", e);
      }
    }
  }
}
