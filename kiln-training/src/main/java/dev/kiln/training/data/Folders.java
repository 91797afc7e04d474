package dev.kiln.training.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Listing of class-per-folder datasets: {@code root/<class>/<file>}, sorted, symbolic links refused. */
final class Folders {
  private Folders() {}

  /** Class folders of {@code root}, in name order. */
  static List<Path> classes(Path root) {
    List<Path> dirs = list(root).stream().filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    if (dirs.isEmpty()) {
      throw new DatasetException(RawFiles.name(root) + ": no class folders");
    }
    return dirs;
  }

  /** The files of {@code dir} whose names end with one of {@code extensions} (lower case). */
  static List<Path> files(Path dir, List<String> extensions) {
    return list(dir).stream()
        .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
        .filter(p -> extensions.stream().anyMatch(e -> RawFiles.name(p).toLowerCase(Locale.ROOT).endsWith(e)))
        .toList();
  }

  static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> all = s.sorted().toList();
      for (Path p : all) {
        if (Files.isSymbolicLink(p)) {
          throw new DatasetException(RawFiles.name(dir) + "/" + RawFiles.name(p) + ": symbolic links are not allowed");
        }
      }
      return all;
    } catch (IOException e) {
      throw new DatasetException(RawFiles.name(dir) + ": cannot be listed", e);
    }
  }
}
