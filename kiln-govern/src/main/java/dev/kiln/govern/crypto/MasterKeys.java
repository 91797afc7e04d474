package dev.kiln.govern.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master key ring: the current AES-256 key, which wraps every new data key, and any older keys still needed to
 * unwrap data keys written before a rotation. Each key is known by its id, the first 8 hex characters of the SHA-256 of
 * its 32 bytes ({@code base64 -d key | sha256sum | cut -c1-8}); artifacts record the id of the key that wrapped them.
 *
 * <p>Sources:
 *
 * <ul>
 *   <li>a key file: exactly 32 raw bytes, or text with one base64 key per line, current first, older after; blank lines
 *       and lines starting with {@code #} are skipped. The file must not be accessible by group or others (like ssh,
 *       this refuses rather than warns: a readable master key protects nothing);
 *   <li>the environment: {@code KILN_MASTER_KEY} (base64) and, during a rotation, {@code KILN_MASTER_KEY_OLD} (one or
 *       more base64 keys separated by commas or spaces).
 * </ul>
 *
 * <p>Rotation: {@link #rotate(Path)} puts a fresh key first in the file and keeps the old ones; {@link
 * ArtifactStore#rewrapAll()} then re-wraps every data key under the new key (payloads are not re-encrypted); after that
 * the old lines can be deleted.
 *
 * <p>Configuration errors throw {@link IllegalArgumentException} naming the file or variable (they are for the operator
 * at startup, never for a client); no message ever contains key material.
 */
public final class MasterKeys {
  public static final String ENV = "KILN_MASTER_KEY";
  public static final String ENV_OLD = "KILN_MASTER_KEY_OLD";
  static final int KEY_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  /** id → key, current first; insertion order is the ring's order. */
  private final Map<String, SecretKey> keys;

  private MasterKeys(List<byte[]> raw, String source) {
    if (raw.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no master key");
    }
    Map<String, SecretKey> ring = new LinkedHashMap<>();
    for (byte[] k : raw) {
      if (k.length != KEY_BYTES) {
        throw new IllegalArgumentException(
            source + ": a master key has " + k.length + " bytes (expected: " + KEY_BYTES + ")");
      }
      String id = idOf(k);
      if (ring.putIfAbsent(id, new SecretKeySpec(k, "AES")) != null) {
        throw new IllegalArgumentException(source + ": master key " + id + " appears twice");
      }
    }
    this.keys = ring;
  }

  /** A ring from raw 32-byte keys, current first. */
  public static MasterKeys of(List<byte[]> keys) {
    return new MasterKeys(List.copyOf(Objects.requireNonNull(keys, "keys")), "master key list");
  }

  /** Loads a key file (see the class comment for its format and permission rule). */
  public static MasterKeys fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    String source = "master key file " + file;
    byte[] content;
    try {
      checkOwnerOnly(file, source);
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(source + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException(source + " cannot be read", e);
    }
    try {
      if (content.length == KEY_BYTES) {
        return new MasterKeys(List.of(content), source); // raw; 32 chars of base64 would decode to 24 bytes
      }
      return new MasterKeys(parseLines(new String(content, StandardCharsets.US_ASCII), source), source);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /**
   * The ring from {@code KILN_MASTER_KEY} and {@code KILN_MASTER_KEY_OLD} in {@code env} (pass {@code
   * System.getenv()}); empty when {@code KILN_MASTER_KEY} is unset or blank.
   */
  public static Optional<MasterKeys> fromEnvironment(Map<String, String> env) {
    String current = env.getOrDefault(ENV, "").strip();
    String old = env.getOrDefault(ENV_OLD, "").strip();
    if (current.isEmpty()) {
      if (!old.isEmpty()) {
        throw new IllegalArgumentException(ENV_OLD + " is set but " + ENV + " is not");
      }
      return Optional.empty();
    }
    List<byte[]> raw = new ArrayList<>();
    raw.add(decode(current, ENV));
    for (String part : old.split("[,\\s]+")) {
      if (!part.isEmpty()) {
        raw.add(decode(part, ENV_OLD));
      }
    }
    return Optional.of(new MasterKeys(raw, "the environment"));
  }

  /**
   * Writes a fresh random key to a new file readable by its owner only and returns it as a ring.
   *
   * @throws IllegalArgumentException if the file exists (a master key is never overwritten)
   */
  public static MasterKeys generate(Path file) {
    byte[] key = fresh();
    try {
      Files.write(createOwnerOnly(file), (encode(key) + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (FileAlreadyExistsException e) {
      throw new IllegalArgumentException("master key file " + file + " already exists; not overwriting it", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write master key file " + file, e);
    }
    return of(List.of(key));
  }

  /**
   * Puts a fresh key at the head of an existing key file (atomically replacing the file), keeping the old keys after it
   * so artifacts wrapped by them stay readable until {@link ArtifactStore#rewrapAll()} has run.
   */
  public static MasterKeys rotate(Path file) {
    MasterKeys old = fromFile(file);
    byte[] key = fresh();
    StringBuilder text = new StringBuilder(encode(key)).append('\n');
    old.keys.values().forEach(k -> text.append(encode(k.getEncoded())).append('\n'));
    Path tmp = file.resolveSibling(file.getFileName() + ".new");
    try {
      Files.deleteIfExists(tmp);
      Files.write(createOwnerOnly(tmp), text.toString().getBytes(StandardCharsets.US_ASCII));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite master key file " + file, e);
    }
    return fromFile(file);
  }

  /** The id of the key that wraps new data keys. */
  public String currentId() {
    return keys.keySet().iterator().next();
  }

  /** Every loaded key id, current first. */
  public List<String> ids() {
    return List.copyOf(keys.keySet());
  }

  SecretKey current() {
    return keys.get(currentId());
  }

  Optional<SecretKey> find(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  @Override
  public String toString() {
    return "MasterKeys" + ids();
  }

  static String idOf(byte[] key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  private static List<byte[]> parseLines(String text, String source) {
    List<byte[]> raw = new ArrayList<>();
    String[] lines = text.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        raw.add(decode(line, source + " line " + (i + 1)));
      }
    }
    return raw;
  }

  private static byte[] decode(String base64, String where) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " is not base64 (expected: 32 random bytes, base64-encoded)");
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(where + " decodes to " + key.length + " bytes (expected: " + KEY_BYTES + ")");
    }
    return key;
  }

  private static void checkOwnerOnly(Path file, String source) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return; // e.g. Windows: ACLs are the operator's to set
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(perms)) {
      throw new IllegalArgumentException(
          source
              + " is accessible by group or others (mode "
              + PosixFilePermissions.toString(perms)
              + "); run chmod 600 on it");
    }
  }

  private static Path createOwnerOnly(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      return Files.createFile(file, attr);
    }
    return Files.createFile(file);
  }

  private static byte[] fresh() {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private static String encode(byte[] key) {
    return Base64.getEncoder().encodeToString(key);
  }
}
