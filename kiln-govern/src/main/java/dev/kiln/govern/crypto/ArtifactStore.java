package dev.kiln.govern.crypto;

import dev.kiln.core.error.KilnException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import java.util.regex.Pattern;

// Size: the store's whole contract (put, read into memory or a file, delete, list, rewrap, clean-up), each a short
// method over the same key resolution.
/**
 * Model files at rest, under opaque keys the store draws itself ({@code 3f/0a9c…}, 128 random bits as hex), so no name
 * from a request or an archive ever becomes a path. Layout: {@code root/objects/<2 hex>/<30 hex>} for published files,
 * {@code root/tmp/} for files being written.
 *
 * <p>Crash safety: {@link #put} writes to {@code tmp}, fsyncs, then renames into {@code objects} atomically and fsyncs
 * the directory; a crash leaves at most a file in {@code tmp} ({@link #cleanTmp}) or a complete file with no registry
 * row ({@link #keys} lists them for garbage collection) — never a half-written file under a key.
 *
 * <p>Keys are checked against their grammar before any path is built, resolved paths must stay inside {@code objects}
 * after {@code toRealPath()}, and symbolic links are refused (files are opened with {@code NOFOLLOW_LINKS}). Several
 * replicas may share one store.
 */
public final class ArtifactStore {
  private static final Logger LOG = Logger.getLogger(ArtifactStore.class.getName());
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{2}/[0-9a-f]{30}");
  private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{2}");
  private static final Pattern REST = Pattern.compile("[0-9a-f]{30}");

  private final Path objects;
  private final Path tmp;
  private final ArtifactCipher cipher;
  private final SecureRandom random = new SecureRandom();

  private ArtifactStore(Path objects, Path tmp, ArtifactCipher cipher) {
    this.objects = objects;
    this.tmp = tmp;
    this.cipher = cipher;
  }

  /**
   * Opens (creating if needed, owner-only) a store under {@code root}. Without a master key ({@link
   * ArtifactCipher#plain()}) it logs a warning: files are then checksummed but not encrypted.
   */
  public static ArtifactStore open(Path root, ArtifactCipher cipher) {
    Objects.requireNonNull(cipher, "cipher");
    try {
      Path real = OwnerOnlyFiles.createDirectory(Objects.requireNonNull(root, "root")).toRealPath();
      Path objects = OwnerOnlyFiles.createDirectory(real.resolve("objects"));
      Path tmp = OwnerOnlyFiles.createDirectory(real.resolve("tmp"));
      if (Files.isSymbolicLink(objects) || Files.isSymbolicLink(tmp)) {
        throw new IllegalArgumentException("artifact store " + root + ": objects/ and tmp/ must not be links");
      }
      if (!cipher.encrypts()) {
        LOG.warning(
            "no master key configured: model artifacts are stored unencrypted (SHA-256 verified only); "
                + "set "
                + MasterKeys.ENV
                + " or a master key file to encrypt them");
      }
      return new ArtifactStore(objects, tmp, cipher);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open artifact store " + root, e);
    }
  }

  /**
   * Where a stored file is: {@code key} goes into {@code VersionRecord.artifact}, {@code sha256} (lower-case hex of the
   * plaintext) into {@code VersionRecord.sha256}.
   */
  public record PutResult(String key, String sha256, long sizeBytes) {}

  /** Whether {@code key} has the store's key grammar (it may still not exist). */
  public static boolean isKey(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  /**
   * Encrypts {@code plaintext} into a new file under a fresh key and publishes it atomically.
   *
   * @param maxBytes refuses longer input with RESOURCE_EXHAUSTED; capped at {@link ArtifactCipher#MAX_IN_MEMORY} since
   *     {@link #read} returns one array
   */
  public PutResult put(InputStream plaintext, long maxBytes) {
    Objects.requireNonNull(plaintext, "plaintext");
    Path part = tmp.resolve(hex(16) + ".part");
    try {
      ArtifactCipher.Sealed sealed;
      try (FileChannel out = OwnerOnlyFiles.createPart(part)) {
        sealed = cipher.encrypt(plaintext, Math.min(maxBytes, ArtifactCipher.MAX_IN_MEMORY), out);
        out.force(true);
      }
      String key = newKey();
      Path target = objects.resolve(key);
      Path dir = OwnerOnlyFiles.createDirectory(target.getParent());
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      OwnerOnlyFiles.syncDirectory(dir);
      return new PutResult(key, sealed.sha256(), sealed.length());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store artifact", e);
    } finally {
      OwnerOnlyFiles.deleteQuietly(part); // gone already if it was published
    }
  }

  /**
   * Decrypts and verifies an artifact into memory; it must also match {@code expectedSha256} (the registry's).
   *
   * @throws KilnException INVALID_ARGUMENT for a malformed key or checksum (nothing is touched), NOT_FOUND
   * @throws ArtifactIntegrityException tampered, corrupted, wrong checksum, or master key not loaded
   */
  public byte[] read(String key, String expectedSha256) {
    Path file = resolve(key);
    String expected = SafeNames.requireSha256(expectedSha256);
    byte[] plain;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      plain = cipher.decrypt(in, key);
    } catch (NoSuchFileException e) {
      throw KilnException.notFound("artifact " + key + " not found");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact " + key, e);
    }
    if (!ArtifactCipher.sha256Hex(plain).equals(expected)) {
      throw new ArtifactIntegrityException(
          "artifact " + key + " does not match its registry checksum: tampered or corrupted");
    }
    return plain;
  }

  /**
   * Decrypts and verifies an artifact of any size into {@code target} (replaced atomically, owner-only): the plaintext
   * is written beside it first and moved into place only once every chunk and the checksum, which must also be {@code
   * expectedSha256}, have passed, so {@code target} never holds unverified bytes.
   *
   * @return the plaintext length
   * @throws KilnException as {@link #read}
   * @throws ArtifactIntegrityException as {@link #read}
   */
  public long readTo(String key, String expectedSha256, Path target) {
    Path file = resolve(key);
    String expected = SafeNames.requireSha256(expectedSha256);
    Path part = target.resolveSibling(target.getFileName() + "." + hex(8) + ".part");
    try {
      long length;
      try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
          FileChannel outChannel = OwnerOnlyFiles.createPart(part);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(outChannel), 1 << 16)) {
        String header = cipher.headerSha256(in, key);
        if (!header.equals(expected)) {
          throw new ArtifactIntegrityException(
              "artifact " + key + " does not match its registry checksum: tampered or corrupted");
        }
        length = cipher.decryptTo(in, key, out);
        out.flush();
        outChannel.force(true);
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return length;
    } catch (NoSuchFileException e) {
      throw KilnException.notFound("artifact " + key + " not found");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact " + key, e);
    } finally {
      OwnerOnlyFiles.deleteQuietly(part);
    }
  }

  /** Deletes an artifact; false if it did not exist. */
  public boolean delete(String key) {
    Path file = resolve(key);
    try {
      boolean deleted = Files.deleteIfExists(file);
      OwnerOnlyFiles.syncDirectory(file.getParent());
      return deleted;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete artifact " + key, e);
    }
  }

  /** Every stored key, sorted: compare with the registry to find orphans (e.g. a put whose publish never came). */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(objects)) {
      for (Path dir : dirs) {
        String prefix = dir.getFileName().toString();
        if (!PREFIX.matcher(prefix).matches() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
          for (Path f : files) {
            String rest = f.getFileName().toString();
            if (REST.matcher(rest).matches() && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
              keys.add(prefix + "/" + rest);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list artifact store", e);
    }
    keys.sort(null);
    return keys;
  }

  /**
   * Re-wraps every data key under the current master key (payloads are copied, not re-encrypted; plain files are
   * encrypted). Each file is replaced atomically. A file deleted while this runs may come back; {@link #keys} then
   * reports it as an orphan.
   *
   * @return how many files changed
   */
  public int rewrapAll() {
    int changed = 0;
    for (String key : keys()) {
      Path file = resolve(key);
      Path part = tmp.resolve(hex(16) + ".part");
      try {
        boolean rewrapped;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            FileChannel out = OwnerOnlyFiles.createPart(part)) {
          rewrapped = cipher.rewrap(in, out, key);
          out.force(true);
        }
        if (rewrapped) {
          Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          OwnerOnlyFiles.syncDirectory(file.getParent());
          changed++;
        }
      } catch (NoSuchFileException e) {
        // deleted since keys() listed it
      } catch (IOException e) {
        throw new UncheckedIOException("cannot rewrap artifact " + key, e);
      } finally {
        OwnerOnlyFiles.deleteQuietly(part);
      }
    }
    return changed;
  }

  /**
   * Deletes files left in {@code tmp} by writers that died, those not modified for {@code minAge} (a live upload keeps
   * its file fresh; other replicas may be writing into the same store).
   *
   * @return how many were deleted
   */
  public int cleanTmp(Duration minAge) {
    Instant before = Instant.now().minus(minAge);
    int deleted = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
      for (Path f : files) {
        if (Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)
            && Files.deleteIfExists(f)) {
          deleted++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean artifact store tmp", e);
    }
    return deleted;
  }

  /** How long ago an artifact was written (orphans younger than a grace period may be uploads in progress). */
  public Duration age(String key) {
    try {
      return Duration.between(
          Files.getLastModifiedTime(resolve(key), LinkOption.NOFOLLOW_LINKS).toInstant(), Instant.now());
    } catch (IOException e) {
      return Duration.ZERO;
    }
  }

  /** Grammar first, then containment and no links; never follows anything outside {@code objects}. */
  private Path resolve(String key) {
    if (!isKey(key)) {
      throw KilnException.invalid("invalid artifact key");
    }
    Path file = objects.resolve(key);
    Path dir = file.getParent();
    try {
      if (Files.isSymbolicLink(dir)
          || Files.isSymbolicLink(file)
          || (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !file.toRealPath().startsWith(objects))) {
        throw KilnException.invalid("invalid artifact key");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve artifact " + key, e);
    }
    return file;
  }

  private String newKey() {
    String h = hex(16);
    return h.substring(0, 2) + "/" + h.substring(2);
  }

  private String hex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
