package dev.kiln.training.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks an uploaded folder dataset (image folders, IDX pairs, text folders arrive as one zip). Every entry
 * name comes from the client, so each is checked before anything is written: no absolute paths, no {@code ..},
 * no backslashes or drive letters, nothing that resolves outside the target. The number of entries and the
 * unpacked size are capped, so a zip bomb stops at the cap instead of filling the disk.
 */
public final class ZipArchive {
  /** Limits on what one archive may unpack to. */
  public record Limits(int maxEntries, long maxBytes) {
    public static Limits defaults() {
      return new Limits(200_000, 2L << 30);
    }
  }

  private ZipArchive() {}

  /** Unpacks {@code zip} into the empty directory {@code target}. */
  public static void extract(InputStream zip, Path target, Limits limits) {
    Path root = target.toAbsolutePath().normalize();
    int entries = 0;
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    try (ZipInputStream in = new ZipInputStream(zip)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (++entries > limits.maxEntries()) {
          throw new DatasetException("the archive has more than " + limits.maxEntries() + " entries");
        }
        Path out = safePath(root, e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (OutputStream os = Files.newOutputStream(out)) {
          for (int n = in.read(buf); n > 0; n = in.read(buf)) {
            total += n;
            if (total > limits.maxBytes()) {
              throw new DatasetException("the archive unpacks to more than " + limits.maxBytes() + " bytes");
            }
            os.write(buf, 0, n);
          }
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new DatasetException("the upload is not a valid zip archive: " + e.getMessage());
    } catch (IOException e) {
      throw new DatasetException("cannot unpack the archive: " + e.getMessage(), e);
    }
    if (entries == 0) {
      throw new DatasetException("the archive is empty (or not a zip archive)");
    }
  }

  static Path safePath(Path root, String name) {
    if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")
        || (name.length() > 1 && name.charAt(1) == ':')) {
      throw new DatasetException("archive entry '" + printable(name) + "' is not a relative path");
    }
    for (String part : name.split("/")) {
      if (part.equals("..")) {
        throw new DatasetException("archive entry '" + printable(name) + "' leaves the archive");
      }
    }
    Path p = root.resolve(name).normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new DatasetException("archive entry '" + printable(name) + "' leaves the archive");
    }
    return p;
  }

  private static String printable(String s) {
    String t = s.replaceAll("[^\\x20-\\x7e]", "?");
    return t.length() > 80 ? t.substring(0, 80) + "..." : t;
  }
}
