package dev.kiln.govern.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The fixed 136-byte header of a stored artifact, all integers big-endian:
 *
 * <pre>
 *   0   8  magic "KILN-ENC"
 *   8   1  format version (1)
 *   9   1  mode: 0 plain, 1 AES-256-GCM envelope
 *  10   2  reserved, zero
 *  12   4  chunk size: plaintext bytes per chunk (1 .. 64 MiB; always 4 MiB in plain mode)
 *  16   8  plaintext length
 *  24  32  plaintext SHA-256
 *  56   8  id of the master key that wrapped the data key (8 ASCII hex chars; zeros in plain mode)
 *  64  12  payload nonce (random); chunk i uses it with i XORed into its last 8 bytes
 *  76  12  wrap nonce (random)
 *  88  48  data key wrapped with AES-256-GCM under the master key (32 bytes + 16-byte tag), AAD = bytes 0..88
 * 136      chunks: max(1, ceil(length / chunk size)) of them, each its ciphertext + 16-byte tag (plain: no tag)
 * </pre>
 *
 * <p>Chunk i is sealed with AAD = bytes 0..16 ‖ i (8 bytes), so chunks cannot be reordered, and every other field is
 * authenticated by the wrap tag. Keeping the key id and wrap fields out of the chunks' AAD is what lets a rotation
 * re-wrap the data key without touching the payload.
 *
 * <p>In plain mode the key fields hold {@code "00000000"} and zeros and nothing is authenticated; the SHA-256 of the
 * payload is what refuses a changed file, and every other header field must equal what plain mode writes.
 */
record ArtifactHeader(
    int mode,
    int chunkSize,
    long length,
    byte[] sha256,
    String keyId,
    byte[] payloadNonce,
    byte[] wrapNonce,
    byte[] wrappedKey) {
  static final int SIZE = 136;
  static final int WRAP_AAD = 88;
  static final int CHUNK_AAD = 16;
  static final int PLAIN = 0;
  static final int SEALED = 1;
  static final int TAG = 16;
  static final int NONCE = 12;
  static final int MAX_CHUNK = 64 << 20;
  static final int PLAIN_CHUNK = 4 << 20;
  private static final byte[] MAGIC = "KILN-ENC".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final String NO_KEY = "00000000";

  /**
   * A plain header. Plain payloads have no tags, so chunking means nothing for them; the chunk size field is fixed at 4
   * MiB so that, like every other field, it cannot change without the file being refused.
   */
  static ArtifactHeader plain(long length, byte[] sha256) {
    return new ArtifactHeader(
        PLAIN,
        PLAIN_CHUNK,
        length,
        sha256,
        NO_KEY,
        new byte[NONCE],
        new byte[NONCE],
        new byte[MasterKeys.KEY_BYTES + TAG]);
  }

  int tagSize() {
    return mode == SEALED ? TAG : 0;
  }

  long chunks() {
    return length == 0 ? 1 : (length - 1) / chunkSize + 1;
  }

  /** The exact file size this header implies; anything longer or shorter was truncated or extended. */
  long fileSize() {
    try {
      return Math.addExact(SIZE + length, Math.multiplyExact(chunks(), tagSize()));
    } catch (ArithmeticException e) {
      return -1; // no file is that long
    }
  }

  ArtifactHeader withKey(String id, byte[] newWrapNonce, byte[] newWrappedKey) {
    return new ArtifactHeader(SEALED, chunkSize, length, sha256, id, payloadNonce, newWrapNonce, newWrappedKey);
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.put(MAGIC)
        .put((byte) VERSION)
        .put((byte) mode)
        .putShort((short) 0)
        .putInt(chunkSize)
        .putLong(length)
        .put(sha256)
        .put(keyId.getBytes(StandardCharsets.US_ASCII))
        .put(payloadNonce)
        .put(wrapNonce)
        .put(wrappedKey);
    return b.array();
  }

  /** AAD for chunk {@code index}. */
  byte[] chunkAad(long index) {
    return ByteBuffer.allocate(CHUNK_AAD + 8).put(encode(), 0, CHUNK_AAD).putLong(index).array();
  }

  byte[] chunkNonce(long index) {
    byte[] nonce = payloadNonce.clone();
    for (int i = 0; i < 8; i++) {
      nonce[NONCE - 1 - i] ^= (byte) (index >>> (8 * i));
    }
    return nonce;
  }

  /**
   * Parses and bounds-checks a header; {@code name} labels the artifact in messages.
   *
   * @throws ArtifactIntegrityException if it is not a well-formed version-1 header
   */
  static ArtifactHeader decode(byte[] bytes, String name) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw corrupted(name, "it is not a Kiln artifact");
    }
    int version = b.get();
    if (version != VERSION) {
      throw corrupted(name, "its format version " + version + " is not supported (expected: " + VERSION + ")");
    }
    int mode = b.get();
    short reserved = b.getShort();
    int chunkSize = b.getInt();
    long length = b.getLong();
    if ((mode != PLAIN && mode != SEALED)
        || reserved != 0
        || chunkSize < 1
        || chunkSize > MAX_CHUNK
        || length < 0
        || length > Long.MAX_VALUE / 2) {
      throw corrupted(name, "its header is malformed");
    }
    byte[] sha = read(b, 32);
    String keyId = new String(read(b, 8), StandardCharsets.US_ASCII);
    if (mode == SEALED && !keyId.matches("[0-9a-f]{8}")) {
      throw corrupted(name, "its header is malformed");
    }
    ArtifactHeader h =
        new ArtifactHeader(
            mode, chunkSize, length, sha, keyId, read(b, NONCE), read(b, NONCE), read(b, MasterKeys.KEY_BYTES + TAG));
    // Plain mode leaves the key fields unused; they must hold exactly what plain() writes, so no byte of a plain
    // file can change unnoticed.
    if (mode == PLAIN && !Arrays.equals(h.encode(), plain(length, sha).encode())) {
      throw corrupted(name, "its header is malformed");
    }
    return h;
  }

  static ArtifactIntegrityException corrupted(String name, String why) {
    return new ArtifactIntegrityException(
        "artifact " + name + " failed its integrity check (" + why + "): tampered or corrupted");
  }

  String shaHex() {
    return HexFormat.of().formatHex(sha256);
  }

  private static byte[] read(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }
}
