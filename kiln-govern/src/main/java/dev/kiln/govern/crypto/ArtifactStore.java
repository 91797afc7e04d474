package dev.kiln.govern.crypto;

import dev.kiln.core.error.KilnException;
import dev.kiln.govern.blob.BlobStore;
import dev.kiln.govern.blob.FolderBlobs;
import dev.kiln.govern.blob.OwnerOnlyFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

// Size: the store's whole contract (put, read into memory or a file, delete, list, rewrap, clean-up), each a short
// method over the same key check.
/**
 * Model files at rest, under opaque keys the store draws itself ({@code 3f/0a9c…}, 128 random bits as hex), so no name
 * from a request or an archive ever becomes a path. The sealed files live in a {@link BlobStore}: a local folder
 * ({@code root/objects/<2 hex>/<30 hex>}, {@code root/tmp/} for files being written) or an S3 bucket under a prefix.
 *
 * <p>Crash safety: {@link #put} seals into an owner-only scratch file (the cipher needs a seekable channel), fsyncs it,
 * then publishes it in one step (an atomic rename, or one PUT); a crash leaves at most a scratch file ({@link
 * #cleanTmp}) or a complete file with no registry row ({@link #keys} lists them for garbage collection) — never a
 * half-written file under a key. Reads from S3 download into an owner-only scratch file first, then decrypt and verify
 * as from the folder.
 *
 * <p>Keys are checked against their grammar before anything else; the folder also refuses symbolic links and paths that
 * leave it. Several replicas may share one store.
 */
public final class ArtifactStore {
  private static final Logger LOG = Logger.getLogger(ArtifactStore.class.getName());
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{2}/[0-9a-f]{30}");

  private final BlobStore blobs;
  private final ArtifactCipher cipher;
  private final SecureRandom random = new SecureRandom();

  private ArtifactStore(BlobStore blobs, ArtifactCipher cipher) {
    this.blobs = blobs;
    this.cipher = cipher;
  }

  /**
   * Opens (creating if needed, owner-only) a store in the folder {@code root}. Without a master key ({@link
   * ArtifactCipher#plain()}) it logs a warning: files are then checksummed but not encrypted.
   */
  public static ArtifactStore open(Path root, ArtifactCipher cipher) {
    Objects.requireNonNull(cipher, "cipher");
    return open(FolderBlobs.open(Objects.requireNonNull(root, "root")), cipher);
  }

  /**
   * A store over {@code blobs}: a folder, or an S3 bucket ({@code StoreLocation.S3#open}, which has checked the bucket
   * already). Warns as {@link #open(Path, ArtifactCipher)} without a master key.
   */
  public static ArtifactStore open(BlobStore blobs, ArtifactCipher cipher) {
    Objects.requireNonNull(blobs, "blobs");
    Objects.requireNonNull(cipher, "cipher");
    if (!cipher.encrypts()) {
      LOG.warning(
          "no master key configured: model artifacts are stored unencrypted (SHA-256 verified only); "
              + "set "
              + MasterKeys.ENV
              + " or a master key file to encrypt them");
    }
    return new ArtifactStore(blobs, cipher);
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

  /** Whether what is put is encrypted under the master key (false: checksummed only, as without a master key). */
  public boolean encrypts() {
    return cipher.encrypts();
  }

  /** Where the sealed files are, for messages: a folder or {@code s3://bucket/prefix}. */
  public String location() {
    return blobs.location();
  }

  /**
   * Encrypts {@code plaintext} into a new file under a fresh key and publishes it atomically.
   *
   * @param maxBytes refuses longer input with RESOURCE_EXHAUSTED; capped at {@link ArtifactCipher#MAX_IN_MEMORY} since
   *     {@link #read} returns one array
   * @throws KilnException UNAVAILABLE when a remote store cannot take it (nothing is stored)
   */
  public PutResult put(InputStream plaintext, long maxBytes) {
    Objects.requireNonNull(plaintext, "plaintext");
    Path part = blobs.scratch().resolve(hex(16) + ".part");
    try {
      ArtifactCipher.Sealed sealed;
      try (FileChannel out = OwnerOnlyFiles.createPart(part)) {
        sealed = cipher.encrypt(plaintext, Math.min(maxBytes, ArtifactCipher.MAX_IN_MEMORY), out);
        out.force(true);
      }
      String key = newKey();
      blobs.put(key, part);
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
   * @throws KilnException INVALID_ARGUMENT for a malformed key or checksum (nothing is touched), NOT_FOUND, UNAVAILABLE
   *     when a remote store cannot be read
   * @throws ArtifactIntegrityException tampered, corrupted, wrong checksum, or master key not loaded
   */
  public byte[] read(String key, String expectedSha256) {
    check(key);
    String expected = SafeNames.requireSha256(expectedSha256);
    byte[] plain;
    try (SeekableByteChannel in = openExisting(key)) {
      plain = cipher.decrypt(in, key);
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
    check(key);
    String expected = SafeNames.requireSha256(expectedSha256);
    Path part = target.resolveSibling(target.getFileName() + "." + hex(8) + ".part");
    try {
      long length;
      try (SeekableByteChannel in = openExisting(key);
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
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact " + key, e);
    } finally {
      OwnerOnlyFiles.deleteQuietly(part);
    }
  }

  /** Deletes an artifact; false if it did not exist. */
  public boolean delete(String key) {
    check(key);
    try {
      return blobs.delete(key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete artifact " + key, e);
    }
  }

  /** Every stored key, sorted: compare with the registry to find orphans (e.g. a put whose publish never came). */
  public List<String> keys() {
    try {
      return blobs.keys().stream().filter(ArtifactStore::isKey).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list artifact store", e);
    }
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
      Path part = blobs.scratch().resolve(hex(16) + ".part");
      try {
        boolean rewrapped = false;
        Optional<SeekableByteChannel> opened = blobs.open(key);
        if (opened.isEmpty()) {
          continue; // deleted since keys() listed it
        }
        try (SeekableByteChannel in = opened.get();
            FileChannel out = OwnerOnlyFiles.createPart(part)) {
          rewrapped = cipher.rewrap(in, out, key);
          out.force(true);
        }
        if (rewrapped) {
          blobs.put(key, part);
          changed++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot rewrap artifact " + key, e);
      } finally {
        OwnerOnlyFiles.deleteQuietly(part);
      }
    }
    return changed;
  }

  /**
   * Deletes files left in the local scratch folder by writers that died, those not modified for {@code minAge} (a live
   * upload keeps its file fresh; other replicas may be writing into the same store).
   *
   * @return how many were deleted
   */
  public int cleanTmp(Duration minAge) {
    Instant before = Instant.now().minus(minAge);
    int deleted = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(blobs.scratch())) {
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
    check(key);
    try {
      return blobs.lastModified(key).map(t -> Duration.between(t, Instant.now())).orElse(Duration.ZERO);
    } catch (IOException e) {
      return Duration.ZERO;
    }
  }

  private SeekableByteChannel openExisting(String key) throws IOException {
    return blobs.open(key).orElseThrow(() -> KilnException.notFound("artifact " + key + " not found"));
  }

  /** The grammar first: no other string ever reaches the blob store. */
  private static void check(String key) {
    if (!isKey(key)) {
      throw KilnException.invalid("invalid artifact key");
    }
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
