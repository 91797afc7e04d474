package dev.kiln.govern.crypto;

import dev.kiln.govern.blob.OwnerOnlyFiles;
import dev.kiln.govern.blob.StoreConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The one place a process keeps plaintext working copies of what the artifact store holds sealed: cached dataset
 * versions, upload staging, job workspaces (checkpoints, splits and models before they are published), served GGUF
 * files. It is a fresh owner-only folder {@code kiln-scratch-*} under a parent that should be RAM-backed (tmpfs, by
 * default {@code /dev/shm}), so those copies never reach a disk; llama.cpp maps a GGUF in place, and a tmpfs file
 * mapped read-only shares its pages (measured: mapping and touching a 256 MiB {@code /dev/shm} file left the system's
 * {@code Shmem} unchanged, the process gained 256 MiB {@code RssShmem} and no {@code RssAnon}).
 *
 * <p>Crash safety: the folder holds a lock file locked for the process's life. At open, sibling folders whose lock can
 * be taken belong to processes that died, and are deleted with everything in them; {@link #close} deletes this
 * process's own.
 */
public final class PlaintextScratch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PlaintextScratch.class.getName());
  private static final String PREFIX = "kiln-scratch-";
  private static final String LOCK = ".lock";

  /** A folder with no lock file yet may be a process's that is being made right now; older ones are leftovers. */
  private static final Duration UNLOCKED_GRACE = Duration.ofMinutes(1);

  /** The file system types that keep files in memory only. */
  private static final Set<String> IN_MEMORY = Set.of("tmpfs", "ramfs");

  /** The default parent: RAM on Linux. */
  public static final Path SHARED_MEMORY = Path.of("/dev/shm");

  private final Path root;
  private final boolean inMemory;
  private final FileChannel lockFile;
  private final FileLock lock;

  private PlaintextScratch(Path root, boolean inMemory, FileChannel lockFile, FileLock lock) {
    this.root = root;
    this.inMemory = inMemory;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /**
   * A new scratch folder for this process under {@code parent} (made owner-only if missing), after deleting those of
   * processes that died. Logs where it is, whether it is in RAM and how large that RAM area is; warns when it is not in
   * RAM, since plaintext working copies then touch a disk.
   */
  public static PlaintextScratch open(Path parent) {
    Objects.requireNonNull(parent, "parent");
    try {
      Path real = OwnerOnlyFiles.createDirectory(parent).toRealPath();
      removeAbandoned(real);
      // Owner-only (0700) where the file system is POSIX, as every temporary folder Java makes.
      Path root = Files.createTempDirectory(real, PREFIX);
      FileChannel channel = OwnerOnlyFiles.createPart(root.resolve(LOCK));
      FileLock lock = channel.lock();
      boolean memory = inMemory(root);
      long size = Files.getFileStore(root).getTotalSpace();
      if (memory) {
        LOG.info(
            "plaintext working copies (datasets, job files, served language models) in RAM under "
                + root
                + " ("
                + (size >> 20)
                + " MiB of tmpfs; they count against memory)");
      } else {
        LOG.warning(
            "plaintext working copies (datasets, job files, served language models) are written to disk under "
                + root
                + ", which is not RAM-backed (tmpfs): use --scratch with a tmpfs folder to keep them off disk");
      }
      return new PlaintextScratch(root, memory, channel, lock);
    } catch (IOException e) {
      throw new StoreConfigException(
          "cannot create the plaintext scratch folder under " + parent + ": " + e + " (check --scratch)", e);
    }
  }

  /** {@link #SHARED_MEMORY} when it is a tmpfs this process can write, else {@code fallback}. */
  public static Path defaultParent(Path fallback) {
    Path shm = SHARED_MEMORY;
    if (Files.isDirectory(shm) && Files.isWritable(shm) && inMemory(shm)) {
      return shm;
    }
    return fallback;
  }

  /** This process's folder. */
  public Path root() {
    return root;
  }

  /** Whether the folder is RAM-backed. */
  public boolean inMemory() {
    return inMemory;
  }

  /** The owner-only sub-folder {@code name} ({@code datasets}, {@code jobs}, {@code llm}), made if missing. */
  public Path folder(String name) {
    if (!name.matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("scratch folder name: " + name);
    }
    try {
      return OwnerOnlyFiles.createDirectory(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the scratch folder " + name, e);
    }
  }

  /** Deletes the folder and everything in it, then releases the lock. */
  @Override
  public void close() {
    try {
      lock.release();
      lockFile.close();
      deleteTree(root);
    } catch (IOException e) {
      LOG.warning(
          "could not delete the plaintext scratch folder "
              + root
              + ": "
              + e.getMessage()
              + " (the next start removes it)");
    }
  }

  private static boolean inMemory(Path p) {
    try {
      return IN_MEMORY.contains(Files.getFileStore(p).type());
    } catch (IOException e) {
      return false;
    }
  }

  /** Deletes sibling folders whose process died: their lock can be taken (or, older than a minute, they have none). */
  private static void removeAbandoned(Path parent) throws IOException {
    List<Path> siblings;
    try (Stream<Path> listed = Files.list(parent)) {
      siblings = listed.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList();
    }
    for (Path dir : siblings) {
      try {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && abandoned(dir)) {
          LOG.info("deleting the plaintext scratch folder of a process that stopped: " + dir);
          deleteTree(dir);
        }
      } catch (IOException e) {
        // another process starting at the same moment deleted it first, or it is another user's
      }
    }
  }

  private static boolean abandoned(Path dir) throws IOException {
    Path lockPath = dir.resolve(LOCK);
    if (!Files.exists(lockPath, LinkOption.NOFOLLOW_LINKS)) {
      Instant made = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
      return made.isBefore(Instant.now().minus(UNLOCKED_GRACE));
    }
    try (FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      FileLock taken = ch.tryLock();
      if (taken == null) {
        return false; // another live process
      }
      taken.release();
      return true;
    } catch (OverlappingFileLockException e) {
      return false; // a live scratch of this same process (tests start several servers in one JVM)
    } catch (IOException e) {
      return false;
    }
  }

  /** Deletes {@code dir} and everything in it (links are deleted, never followed). */
  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
