package dev.kiln.govern.blob;

import dev.kiln.core.error.KilnException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Files in a local folder: {@code root/objects/<folder>/<name>} published, {@code root/tmp/} being written. A put
 * renames a file that was fsynced in {@code tmp} into place atomically and fsyncs the folder, so a crash leaves at most
 * a file in {@code tmp}, never a half-written one under a key. Folders and files are owner-only; symbolic links are
 * neither followed nor listed, and a resolved path must stay inside {@code objects}. Several replicas may share one
 * folder (a network file system with atomic rename).
 */
public final class FolderBlobs implements BlobStore {
  private final Path objects;
  private final Path tmp;

  private FolderBlobs(Path objects, Path tmp) {
    this.objects = objects;
    this.tmp = tmp;
  }

  /** Opens the folder at {@code root}, creating it (owner-only) if needed. */
  public static FolderBlobs open(Path root) {
    try {
      Path real = OwnerOnlyFiles.createDirectory(root).toRealPath();
      Path objects = OwnerOnlyFiles.createDirectory(real.resolve("objects"));
      Path tmp = OwnerOnlyFiles.createDirectory(real.resolve("tmp"));
      if (Files.isSymbolicLink(objects) || Files.isSymbolicLink(tmp)) {
        throw new IllegalArgumentException("artifact store " + root + ": objects/ and tmp/ must not be links");
      }
      return new FolderBlobs(objects, tmp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open artifact store " + root, e);
    }
  }

  @Override
  public String location() {
    return objects.getParent().toString();
  }

  @Override
  public Path scratch() {
    return tmp;
  }

  @Override
  public void put(String key, Path file) throws IOException {
    try {
      Path target = resolve(key);
      Path dir = OwnerOnlyFiles.createDirectory(target.getParent());
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      OwnerOnlyFiles.syncDirectory(dir);
    } finally {
      OwnerOnlyFiles.deleteQuietly(file); // gone already if it was published
    }
  }

  @Override
  public Optional<SeekableByteChannel> open(String key) throws IOException {
    try {
      return Optional.of(FileChannel.open(resolve(key), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean delete(String key) throws IOException {
    Path file = resolve(key);
    boolean deleted = Files.deleteIfExists(file);
    OwnerOnlyFiles.syncDirectory(file.getParent());
    return deleted;
  }

  @Override
  public List<String> keys() throws IOException {
    List<String> keys = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(objects)) {
      for (Path dir : dirs) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
          for (Path f : files) {
            if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
              keys.add(dir.getFileName() + "/" + f.getFileName());
            }
          }
        }
      }
    }
    return keys;
  }

  @Override
  public Optional<Instant> lastModified(String key) throws IOException {
    try {
      return Optional.of(Files.getLastModifiedTime(resolve(key), LinkOption.NOFOLLOW_LINKS).toInstant());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Containment and no links; never follows anything outside {@code objects}. */
  private Path resolve(String key) throws IOException {
    Path file = objects.resolve(key).normalize();
    Path dir = file.getParent();
    if (!file.startsWith(objects)
        || !dir.getParent().equals(objects)
        || Files.isSymbolicLink(dir)
        || Files.isSymbolicLink(file)
        || (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !file.toRealPath().startsWith(objects))) {
      throw KilnException.invalid("invalid artifact key");
    }
    return file;
  }
}
