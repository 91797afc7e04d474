package dev.kiln.training.data;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Opens raw dataset files: gunzips by magic number and stops reading past {@link ReadLimits#maxFileBytes()}. */
final class RawFiles {
  private RawFiles() {}

  static InputStream open(Path file, ReadLimits limits) {
    try {
      if (Files.size(file) > limits.maxFileBytes()) {
        throw tooLarge(file, limits);
      }
      return open(Files.newInputStream(file), name(file), limits.maxFileBytes());
    } catch (IOException e) {
      throw new DatasetException(name(file) + ": cannot be read", e);
    }
  }

  /** {@link #open(Path, ReadLimits)} for a stream (an upload), named {@code name} in errors. */
  static InputStream open(InputStream raw, String name, long maxBytes) throws IOException {
    InputStream in = new BufferedInputStream(raw);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    // Sniff rather than trust the extension: MNIST mirrors ship ".gz" files that are already inflated.
    if (b0 == 0x1f && b1 == 0x8b) {
      in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16));
    }
    return new Capped(in, maxBytes, name);
  }

  static String name(Path file) {
    Path n = file.getFileName();
    return n == null ? "dataset" : n.toString();
  }

  static boolean isGzip(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  /** The file name without a trailing {@code .gz}, lower-cased, for extension checks. */
  static String baseName(Path file) {
    String n = name(file).toLowerCase(Locale.ROOT);
    return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
  }

  private static DatasetTooLargeException tooLarge(Path file, ReadLimits limits) {
    return new DatasetTooLargeException(name(file) + ": larger than the limit of " + limits.maxFileBytes() + " bytes");
  }

  /** Counts bytes after decompression, so a small gzip bomb cannot expand past the limit. */
  private static final class Capped extends FilterInputStream {
    private final long max;
    private final String file;
    private long count;

    Capped(InputStream in, long max, String file) {
      super(in);
      this.max = max;
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        add(n);
      }
      return n;
    }

    private void add(long n) {
      count += n;
      if (count > max) {
        throw new DatasetTooLargeException(file + ": larger than the limit of " + max + " bytes");
      }
    }
  }
}
