package dev.kiln.training.store;

import dev.kiln.govern.blob.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * This process's own working folder for job files ({@link JdbcJobStore}'s workspace): {@code <parent>/<name>/}, owner
 * only, beside {@code <parent>/<name>.lock}, which the process holds locked for as long as it runs. A process that dies
 * (SIGKILL, a crash) releases its lock with it, so the next process to {@link #open} in the same parent takes the lock
 * and deletes the folder it left: nothing in a workspace is needed after its process, since every file a job keeps is
 * published to the artifact store.
 *
 * <p>The lock file appears already locked (made under a temporary name, locked, then renamed into place), so a lock
 * file that can be locked always belongs to a dead process; a folder with no lock file beside it too, since a
 * workspace's lock is made before its folder and removed after it.
 */
public final class JobWorkspace implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobWorkspace.class.getName());
  private static final String LOCK = ".lock";
  private static final String PART = ".lock.part";

  /** A lock being made that is older than this belongs to a process that died while making it. */
  private static final Duration PART_AGE = Duration.ofMinutes(1);

  /**
   * This JVM's prefix of its workspaces' names. Its own lock files are never opened to test them: on Linux closing any
   * channel to a file drops every lock this process holds on it, so testing another server's lock in the same JVM (as
   * tests run them) would release it. Random, so a pid reused by a later process (pid 1 in each container) is no match.
   */
  private static final String PROCESS =
      ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);

  private final Path folder;
  private final Path lockFile;
  private final FileChannel channel;
  private final FileLock lock;

  private JobWorkspace(Path folder, Path lockFile, FileChannel channel, FileLock lock) {
    this.folder = folder;
    this.lockFile = lockFile;
    this.channel = channel;
    this.lock = lock;
  }

  /** Removes the workspaces under {@code parent} whose processes are gone, then makes this process's own. */
  public static JobWorkspace open(Path parent) {
    try {
      OwnerOnlyFiles.createDirectory(parent);
      removeStale(parent);
      String name = PROCESS + "-" + UUID.randomUUID().toString().substring(0, 8);
      Path part = parent.resolve(name + PART);
      FileChannel channel =
          FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
      FileLock lock = channel.lock();
      Path lockFile = Files.move(part, parent.resolve(name + LOCK), StandardCopyOption.ATOMIC_MOVE);
      Path folder = OwnerOnlyFiles.createDirectory(parent.resolve(name));
      return new JobWorkspace(folder, lockFile, channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a working folder for training jobs under " + parent, e);
    }
  }

  /** The folder, which exists until {@link #close}. */
  public Path path() {
    return folder;
  }

  /** Deletes the folder (if still there), then the lock file, then lets the lock go. */
  @Override
  public void close() {
    try {
      deleteTree(folder);
      Files.deleteIfExists(lockFile);
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the job working folder " + folder, e);
    }
  }

  private static void removeStale(Path parent) throws IOException {
    List<Path> entries;
    try (Stream<Path> listed = Files.list(parent)) {
      entries = listed.toList();
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (name.startsWith(PROCESS + "-")) {
        continue;
      }
      if (name.endsWith(LOCK)) {
        removeIfDead(p, parent.resolve(name.substring(0, name.length() - LOCK.length())));
      } else if (name.endsWith(PART) && olderThan(p, PART_AGE)) {
        Files.deleteIfExists(p);
      } else if (Files.isDirectory(p) && !Files.exists(parent.resolve(name + LOCK))) {
        LOG.info("removing the job working folder of a process that is gone: " + p);
        deleteTree(p);
      }
    }
  }

  private static void removeIfDead(Path lockFile, Path folder) throws IOException {
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock held = ch.tryLock();
      if (held == null) {
        return; // another process runs and holds it
      }
      try {
        LOG.info("removing the job working folder of a process that is gone: " + folder);
        deleteTree(folder);
        Files.deleteIfExists(lockFile);
      } finally {
        held.release();
      }
    } catch (NoSuchFileException e) {
      // Its process closed it just now.
    }
  }

  private static boolean olderThan(Path p, Duration age) {
    try {
      return Files.getLastModifiedTime(p).toInstant().isBefore(Instant.now().minus(age));
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // gone meanwhile
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not remove all of the job working folder " + root, e);
    }
  }
}
