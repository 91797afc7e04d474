package dev.kiln.training.data;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Unpacks an uploaded folder dataset (image folders, IDX pairs, text folders arrive as one zip). Every entry name comes
 * from the client, so each is checked before anything is written: no absolute paths, no {@code ..}, no backslashes or
 * drive letters, nothing that resolves outside the target.
 *
 * <p>Sizes are counted as bytes are inflated, never taken from the sizes the archive declares (a declared size over the
 * cap is refused at once, a false small one changes nothing): the number of entries, the total unpacked size, and the
 * ratio of unpacked to compressed bytes read so far. The ratio stops a zip bomb after a few megabytes instead of at the
 * size cap. Messages name the entry, never a path on this server.
 */
public final class ZipArchive {
  private static final Logger LOG = Logger.getLogger(ZipArchive.class.getName());

  /** Below this many unpacked bytes the ratio is not checked: tiny, very compressible files are normal. */
  private static final long RATIO_FLOOR = 1 << 20;

  /**
   * Limits on what one archive may unpack to.
   *
   * @param maxEntries files and folders in the archive
   * @param maxBytes total unpacked bytes
   * @param maxRatio unpacked bytes per compressed byte read, checked once over 1 MiB is unpacked
   */
  public record Limits(int maxEntries, long maxBytes, int maxRatio) {
    public Limits {
      if (maxEntries < 1 || maxBytes < 1 || maxRatio < 1) {
        throw new IllegalArgumentException("archive limits must be positive");
      }
    }

    /** The default ratio with entries and bytes as given. */
    public Limits(int maxEntries, long maxBytes) {
      this(maxEntries, maxBytes, defaults().maxRatio());
    }

    /** 200,000 entries, 1 GiB unpacked, 100 times the compressed size. */
    public static Limits defaults() {
      return new Limits(200_000, 1L << 30, 100);
    }
  }

  private ZipArchive() {}

  /** Unpacks {@code zip} into the empty directory {@code target}. */
  public static void extract(InputStream zip, Path target, Limits limits) {
    Path root = target.toAbsolutePath().normalize();
    Counting compressed = new Counting(zip);
    int entries = 0;
    long total = 0;
    String current = null;
    byte[] buf = new byte[64 * 1024];
    try (ZipInputStream in = new ZipInputStream(compressed)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        current = printable(e.getName());
        if (++entries > limits.maxEntries()) {
          throw new DatasetTooLargeException("the archive has more than " + limits.maxEntries() + " entries");
        }
        Path out = safePath(root, e.getName());
        if (e.getSize() > limits.maxBytes() - total) {
          throw tooLarge(current, limits);
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (OutputStream os = Files.newOutputStream(out)) {
          for (int n = in.read(buf); n > 0; n = in.read(buf)) {
            total += n;
            if (total > limits.maxBytes()) {
              throw tooLarge(current, limits);
            }
            if (total > RATIO_FLOOR && total > (double) limits.maxRatio() * compressed.count) {
              throw new DatasetTooLargeException(
                  "archive entry '"
                      + current
                      + "': unpacks to more than "
                      + limits.maxRatio()
                      + " times its compressed size (a zip bomb?)");
            }
            os.write(buf, 0, n);
          }
        }
      }
    } catch (ZipException e) {
      LOG.log(Level.FINE, "invalid zip upload", e);
      throw new DatasetException(
          "the upload is not a valid zip archive" + (current == null ? "" : " (at entry '" + current + "')"));
    } catch (IOException e) {
      // The exception's message is a path on this server: it goes to the log, the caller gets the entry.
      LOG.log(Level.FINE, "cannot unpack an uploaded archive", e);
      throw new DatasetException(
          (current == null ? "the archive" : "archive entry '" + current + "'")
              + ": cannot be unpacked (a file and a folder of the same name?)");
    }
    if (entries == 0) {
      throw new DatasetException("the archive is empty (or not a zip archive)");
    }
  }

  private static DatasetTooLargeException tooLarge(String entry, Limits limits) {
    return new DatasetTooLargeException(
        "archive entry '" + entry + "': the archive unpacks to more than " + limits.maxBytes() + " bytes");
  }

  static Path safePath(Path root, String name) {
    if (name.isEmpty()
        || name.startsWith("/")
        || name.contains("\\")
        || name.contains("\0")
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

  /** Counts the compressed bytes the inflater has consumed (its read-ahead included, which only helps us). */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count += b >= 0 ? 1 : 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count += Math.max(n, 0);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }
  }
}
