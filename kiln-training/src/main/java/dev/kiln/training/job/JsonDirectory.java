package dev.kiln.training.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A directory of JSON records shared by replicas, as the job and sweep stores keep theirs: every read-modify-write
 * holds an exclusive lock on {@code <root>/.lock} (a file lock, so it excludes other processes, plus a monitor, since a
 * JVM may hold a file lock only once), and every write replaces the file atomically, so a crash leaves the previous or
 * the next state, never half of one.
 */
public final class JsonDirectory {
  private static final ObjectMapper JSON = JobJson.MAPPER;

  /** One monitor per directory in this JVM: a JVM may hold a directory's file lock only once at a time. */
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final Path root;
  private final String noun;
  private final Object monitor;

  /** Creates {@code root} if need be; {@code noun} ("job", "sweep") names the records in error messages. */
  public JsonDirectory(Path root, String noun) {
    this.root = root;
    this.noun = noun;
    try {
      Files.createDirectories(root);
      this.monitor = MONITORS.computeIfAbsent(root.toRealPath(), p -> new Object());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the " + noun + " directory " + root, e);
    }
  }

  public Path root() {
    return root;
  }

  /** Runs {@code action} holding the directory's lock. */
  public <T> T locked(Supplier<T> action) {
    synchronized (monitor) {
      try (FileChannel ch =
              FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return action.get();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock the " + noun + " store", e);
      }
    }
  }

  /** Record {@code id} from {@code file}; empty if there is no such file. */
  public <T> Optional<T> read(Path file, Class<T> type, long id) {
    if (id <= 0 || !Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), type));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + noun + " " + id, e);
    }
  }

  /** Writes record {@code id} to {@code file} through a temporary file beside it, moved into place atomically. */
  public void write(Path file, Object value, long id) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      JSON.writeValue(tmp.toFile(), value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + noun + " " + id, e);
    }
  }
}
