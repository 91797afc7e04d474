package dev.kiln.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Dataset keys without a database ({@code --no-database}): one owner-only file a name, {@code <folder>/<name>.key}, 64
 * hex digits, in an owner-only folder. A key is written whole to a temporary file and then linked into place, which
 * fails when another process got there first; the loser reads the winner's key, so racing first uses end with one.
 */
public final class FileDatasetKeys implements DatasetKeys {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path folder;

  /** Keys under {@code folder} (made owner-only on first use), e.g. {@code <data>/dataset-keys}. */
  public FileDatasetKeys(Path folder) {
    this.folder = folder;
  }

  @Override
  public byte[] hashKey(String dataset) {
    if (!NAME.matcher(dataset).matches()) {
      throw new DatasetException("dataset name '" + dataset + "' must match " + NAME.pattern());
    }
    Path file = folder.resolve(dataset + ".key");
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      return HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the key of dataset " + dataset, e);
    }
  }

  private void create(Path file) throws IOException {
    if (!Files.isDirectory(folder)) {
      Files.createDirectories(folder);
      ownerOnly(folder, "rwx------");
    }
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    Path tmp = folder.resolve("." + UUID.randomUUID() + ".tmp");
    try {
      Files.createFile(tmp);
      ownerOnly(tmp, "rw-------");
      Files.writeString(tmp, HexFormat.of().formatHex(key) + "\n", StandardCharsets.US_ASCII);
      Files.createLink(file, tmp);
    } catch (FileAlreadyExistsException raced) {
      // another process made the key first: theirs is the key
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void ownerOnly(Path p, String perms) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }
  }
}
