package dev.kiln.training.store;

import dev.kiln.training.data.DatasetFormat;
import dev.kiln.training.data.ZipArchive;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One artifact per dataset version: a single file as it is, a folder dataset (image folder, IDX pair, text folder) as a
 * zip whose entries are stored, not deflated (images and IDX files hardly compress, and the artifact is encrypted
 * anyway), unpacked under {@link ZipArchive}'s checks like any uploaded archive.
 */
final class DatasetPacking {
  private DatasetPacking() {}

  /** Whether a version of this format is a folder, so its artifact is a zip. */
  static boolean isFolder(DatasetFormat format) {
    return format == DatasetFormat.IMAGE_FOLDER || format == DatasetFormat.IDX || format == DatasetFormat.TEXT_FOLDER;
  }

  /** Zips {@code folder}'s tree into {@code zip}: paths relative to the folder, sorted, entries stored. */
  static void zip(Path folder, Path zip) throws IOException {
    List<Path> paths;
    try (Stream<Path> all = Files.walk(folder)) {
      paths = all.filter(p -> !p.equals(folder)).sorted().toList();
    }
    try (ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zip), 1 << 16))) {
      out.setMethod(ZipOutputStream.STORED);
      for (Path p : paths) {
        String name = folder.relativize(p).toString().replace('\\', '/');
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.putNextEntry(stored(name + "/", 0, 0));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          // A stored entry states its size and CRC before its bytes: one pass to learn them, one to copy.
          out.putNextEntry(stored(name, Files.size(p), crc(p)));
          Files.copy(p, out);
        }
        out.closeEntry();
      }
    }
  }

  /** Unpacks a zip made by {@link #zip} into {@code folder} (created), as any uploaded archive is checked. */
  static void unzip(Path zip, Path folder, ZipArchive.Limits limits) throws IOException {
    Files.createDirectories(folder);
    try (InputStream in = Files.newInputStream(zip)) {
      ZipArchive.extract(in, folder, limits);
    }
  }

  private static ZipEntry stored(String name, long size, long crc) {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(size);
    e.setCompressedSize(size);
    e.setCrc(crc);
    return e;
  }

  private static long crc(Path file) throws IOException {
    CRC32 crc = new CRC32();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    return crc.getValue();
  }

  /** Where nothing but the owner may look: scratch and cache folders hold raw, unencrypted data. */
  static Path ownerOnly(Path dir) throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return dir;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return Files.createDirectories(dir);
  }
}
