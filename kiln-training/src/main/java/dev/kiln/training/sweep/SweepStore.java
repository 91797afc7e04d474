package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.training.job.JobJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Sweeps as JSON files, {@code <root>/<id>.json}, beside the jobs in the shared data directory, with the job store's
 * guarantees: every read-modify-write holds {@code <root>/.lock} (a file lock for other processes, a monitor for this
 * one) and every write replaces the file atomically, so replicas never hand out one id twice and a crash leaves the
 * previous or the next state.
 */
public final class SweepStore {
  private static final ObjectMapper JSON = JobJson.MAPPER;
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final Path root;
  private final Object monitor;

  public SweepStore(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root);
      this.monitor = MONITORS.computeIfAbsent(root.toRealPath(), p -> new Object());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the sweep directory " + root, e);
    }
  }

  /** Stores the sweep {@code make} builds for the next free id. */
  public Sweep create(LongFunction<Sweep> make) {
    return locked(() -> {
      long id = list().stream().mapToLong(Sweep::id).max().orElse(0) + 1;
      Sweep sweep = make.apply(id);
      write(sweep);
      return sweep;
    });
  }

  public Optional<Sweep> get(long id) {
    Path file = root.resolve(id + ".json");
    if (id <= 0 || !Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), Sweep.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read sweep " + id, e);
    }
  }

  /** Newest first. */
  public List<Sweep> list() {
    List<Sweep> sweeps = new ArrayList<>();
    try (var files = Files.list(root)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        String id = name.endsWith(".json") ? name.substring(0, name.length() - 5) : "";
        if (!id.isEmpty() && id.length() < 19 && id.chars().allMatch(Character::isDigit)) {
          get(Long.parseLong(id)).ifPresent(sweeps::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list sweeps", e);
    }
    sweeps.sort(Comparator.comparingLong(Sweep::id).reversed());
    return sweeps;
  }

  /** Applies {@code change} to the stored sweep atomically; empty if there is no such sweep. */
  public Optional<Sweep> update(long id, UnaryOperator<Sweep> change) {
    return locked(() ->
        get(id)
            .map(s -> {
              Sweep next = change.apply(s);
              write(next);
              return next;
            }));
  }

  private void write(Sweep sweep) {
    Path tmp = root.resolve(sweep.id() + ".json.tmp");
    try {
      JSON.writeValue(tmp.toFile(), sweep);
      Files.move(
          tmp, root.resolve(sweep.id() + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write sweep " + sweep.id(), e);
    }
  }

  private <T> T locked(Supplier<T> action) {
    synchronized (monitor) {
      try (FileChannel ch =
              FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return action.get();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock the sweep store", e);
      }
    }
  }
}
