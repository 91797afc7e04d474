package dev.kiln.govern.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the files that hold a marker string in the clear: the proof that what a caller uploads is never written to disk
 * unencrypted is a scan that finds nothing with a master key and finds the marker without one. Reads every regular file
 * under the roots (links are not followed), streaming, so a file of any size is scanned; a file deleted while the scan
 * runs is skipped.
 */
public final class MarkerScan {
  private final byte[] needle;

  private MarkerScan(byte[] needle) {
    this.needle = needle;
  }

  /** A scan for the UTF-8 bytes of {@code marker}. */
  public static MarkerScan of(String marker) {
    if (marker.isEmpty()) {
      throw new IllegalArgumentException("an empty marker is everywhere");
    }
    return new MarkerScan(marker.getBytes(StandardCharsets.UTF_8));
  }

  /** The files under {@code roots} that contain the marker, as paths; roots that do not exist hold none. */
  public List<Path> filesWithMarker(Path... roots) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      List<Path> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
      }
      for (Path f : files) {
        if (contains(f)) {
          found.add(f);
        }
      }
    }
    return found;
  }

  /** How many regular files {@link #filesWithMarker} reads under {@code roots}: a scan of nothing proves nothing. */
  public static long files(Path... roots) throws IOException {
    long n = 0;
    for (Path root : roots) {
      if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> walk = Files.walk(root)) {
          n += walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
        }
      }
    }
    return n;
  }

  private boolean contains(Path file) throws IOException {
    // Keeps the last needle.length - 1 bytes of each block, so a marker across two blocks is found.
    byte[] buffer = new byte[(1 << 16) + needle.length];
    int kept = 0;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      for (int n; (n = in.read(buffer, kept, buffer.length - kept)) > 0; ) {
        int end = kept + n;
        if (indexOf(buffer, end) >= 0) {
          return true;
        }
        kept = Math.min(needle.length - 1, end);
        System.arraycopy(buffer, end - kept, buffer, 0, kept);
      }
    } catch (NoSuchFileException e) {
      return false;
    }
    return false;
  }

  private int indexOf(byte[] hay, int end) {
    outer:
    for (int i = 0; i + needle.length <= end; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
