package dev.kiln.govern.blob;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The file system calls of the artifact store: folders and new files readable by the owner only (where the file system
 * is POSIX), never through a symbolic link, and renames made durable by syncing their folder. Public for {@code
 * ArtifactStore}'s scratch files, which it writes itself whichever backend publishes them.
 */
public final class OwnerOnlyFiles {
  private OwnerOnlyFiles() {}

  public static Path createDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return dir;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return Files.createDirectories(dir);
  }

  /** A new owner-only file, open for reading and writing; {@code extra} e.g. {@code DELETE_ON_CLOSE}. */
  public static FileChannel createPart(Path part, OpenOption... extra) throws IOException {
    Set<OpenOption> options =
        new HashSet<>(
            List.of(
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS));
    options.addAll(List.of(extra));
    if (part.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return FileChannel.open(
          part, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    return FileChannel.open(part, options);
  }

  /** Makes a rename or delete durable; a no-op where directories cannot be opened (Windows). */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // best effort: not every platform can fsync a directory
    }
  }

  public static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left for cleanTmp
    }
  }
}
