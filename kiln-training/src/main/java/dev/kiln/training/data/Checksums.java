package dev.kiln.training.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 of raw dataset content, and its size, for a file or a whole folder tree: what {@link
 * DatasetManifest#sha256()} records, so a store that keeps the bytes elsewhere can verify what it hands out.
 */
public final class Checksums {
  public record Digest(String sha256, long size) {}

  private Checksums() {}

  /** For a folder: every regular file's relative path (with {@code /}), length and bytes, in path order. */
  public static Digest of(Path source) throws IOException {
    MessageDigest md = sha256();
    long size = 0;
    if (Files.isDirectory(source)) {
      List<Path> files;
      try (Stream<Path> s = Files.walk(source)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path f : files) {
        String rel = source.relativize(f).toString().replace('\\', '/');
        md.update(rel.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(ByteBuffer.allocate(8).putLong(Files.size(f)).array());
        size += digest(md, f);
      }
    } else {
      size = digest(md, source);
    }
    return new Digest(HexFormat.of().formatHex(md.digest()), size);
  }

  private static long digest(MessageDigest md, Path file) throws IOException {
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
        n += r;
      }
    }
    return n;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
