package dev.kiln.training.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The file work of {@link FileDatasetStore}: naming and copying what is stored (no symbolic links followed, uploads cut
 * off at their limit), listing a folder's versions, and removing staging and deleted trees.
 */
final class DatasetFiles {
  private DatasetFiles() {}

  /** The stored data's name: the original extension kept, since it tells the delimiter and compression. */
  static String dataName(Path source, DatasetOptions options) {
    if (Files.isDirectory(source)) {
      return "data";
    }
    String n = RawFiles.name(source).toLowerCase(Locale.ROOT);
    for (String ext : List.of(".csv.gz", ".tsv.gz", ".tab.gz", ".csv", ".tsv", ".tab", ".txt")) {
      if (n.endsWith(ext)) {
        return "data" + ext;
      }
    }
    return RawFiles.isGzip(source) ? "data.gz" : "data";
  }

  /** Copies a file or a folder tree; symbolic links are refused so nothing outside the source is read. */
  static void copy(Path source, Path target) throws IOException {
    try (Stream<Path> all = Files.walk(source)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isSymbolicLink(p)) {
          throw new DatasetException(RawFiles.name(p) + ": symbolic links are not allowed in a dataset");
        }
        Path to = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(to);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.copy(p, to);
        }
      }
    }
  }

  /** Stops at one byte past {@code max}: enough to know the upload is too large without storing all of it. */
  static void copyAtMost(InputStream source, Path target, long max) throws IOException {
    try (InputStream in = source;
        OutputStream out = Files.newOutputStream(target)) {
      byte[] buf = new byte[1 << 16];
      long n = 0;
      for (int r; (r = in.read(buf)) > 0; ) {
        n += r;
        if (n > max) {
          throw new DatasetTooLargeException("upload larger than the limit of " + max + " bytes");
        }
        out.write(buf, 0, r);
      }
    }
  }

  static List<String> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(RawFiles::name).filter(n -> !n.startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteQuietly(Path dir) {
    try {
      if (Files.exists(dir)) {
        deleteTree(dir);
      }
    } catch (IOException e) {
      // Staging leftovers are harmless: they are never read, and a later clean-up can remove them.
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
