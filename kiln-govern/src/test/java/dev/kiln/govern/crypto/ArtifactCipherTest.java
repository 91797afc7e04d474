package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactCipherTest {
  static final int CHUNK = 64;
  static final MasterKeys K1 = MasterKeys.of(List.of(key(1)));
  static final MasterKeys K2 = MasterKeys.of(List.of(key(2)));

  @TempDir Path dir;

  static byte[] key(int seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    return k;
  }

  static byte[] data(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  Path seal(ArtifactCipher cipher, byte[] plain) throws IOException {
    Path f = Files.createTempFile(dir, "a", ".kiln");
    try (FileChannel out = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      ArtifactCipher.Sealed s = cipher.encrypt(new ByteArrayInputStream(plain), Long.MAX_VALUE, out);
      assertThat(s.length()).isEqualTo(plain.length);
      assertThat(s.sha256()).isEqualTo(ArtifactCipher.sha256Hex(plain));
    }
    return f;
  }

  static byte[] open(ArtifactCipher cipher, Path f) throws IOException {
    try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ)) {
      return cipher.decrypt(in, "ab/test");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7})
  void roundTripsAnyLengthAcrossChunkBoundaries(int n) throws IOException {
    for (ArtifactCipher c : List.of(ArtifactCipher.sealed(K1), ArtifactCipher.plain())) {
      ArtifactCipher cipher = c.withChunkSize(CHUNK);
      Path f = seal(cipher, data(n));
      long chunks = n == 0 ? 1 : (n + CHUNK - 1) / CHUNK;
      assertThat(Files.size(f)).isEqualTo(136 + n + (cipher.encrypts() ? 16 * chunks : 0));
      assertThat(open(cipher, f)).isEqualTo(data(n));
    }
  }

  @Test
  void roundTripsWithTheDefaultChunkSize() throws IOException {
    byte[] plain = data(ArtifactCipher.DEFAULT_CHUNK_SIZE * 2 + 5);
    assertThat(open(ArtifactCipher.sealed(K1), seal(ArtifactCipher.sealed(K1), plain))).isEqualTo(plain);
  }

  @Test
  void everySingleByteFlipIsRefusedInBothModes() throws IOException {
    for (ArtifactCipher c : List.of(ArtifactCipher.sealed(K1), ArtifactCipher.plain())) {
      ArtifactCipher cipher = c.withChunkSize(CHUNK);
      byte[] good = Files.readAllBytes(seal(cipher, data(2 * CHUNK + 10)));
      for (int i = 0; i < good.length; i++) {
        byte[] bad = good.clone();
        bad[i] ^= 0x01;
        Path f = Files.write(dir.resolve("flip"), bad);
        int at = i;
        assertThat(catchThrowable(() -> open(cipher, f)))
            .as("byte %d, encrypted %s", at, cipher.encrypts())
            .isInstanceOf(ArtifactIntegrityException.class)
            .hasMessageMatching(
                "artifact ab/test (failed its integrity check .*: tampered or corrupted"
                    + "|is encrypted under master key [0-9a-f]{8}, which is not loaded.*)");
      }
    }
  }

  @Test
  void tamperedHeaderWrappedKeyCiphertextAndTagSayTamperedOrCorrupted() throws IOException {
    ArtifactCipher cipher = ArtifactCipher.sealed(K1).withChunkSize(CHUNK);
    byte[] good = Files.readAllBytes(seal(cipher, data(3 * CHUNK)));
    // length, sha, payload nonce, wrap nonce, wrapped key, first ciphertext byte, last tag byte
    for (int at : new int[] {20, 30, 70, 80, 100, 136, good.length - 1}) {
      byte[] bad = good.clone();
      bad[at] ^= (byte) 0x80;
      Path f = Files.write(dir.resolve("t"), bad);
      assertThatThrownBy(() -> open(cipher, f))
          .isInstanceOf(ArtifactIntegrityException.class)
          .hasMessageContaining("tampered or corrupted")
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.UNAVAILABLE));
    }
  }

  @Test
  void truncatedOrExtendedFilesAreRefusedBeforeDecrypting() throws IOException {
    ArtifactCipher cipher = ArtifactCipher.sealed(K1).withChunkSize(CHUNK);
    byte[] good = Files.readAllBytes(seal(cipher, data(3 * CHUNK)));
    for (byte[] bad :
        List.of(
            Arrays.copyOf(good, good.length - 1),
            Arrays.copyOf(good, good.length + 1),
            Arrays.copyOf(good, good.length - 16 - CHUNK),
            Arrays.copyOf(good, 100),
            new byte[0])) {
      Path f = Files.write(dir.resolve("t"), bad);
      assertThatThrownBy(() -> open(cipher, f))
          .isInstanceOf(ArtifactIntegrityException.class)
          .hasMessageContaining("tampered or corrupted");
    }
  }

  @Test
  void aHeaderClaimingAnAbsurdLengthIsRefusedWithoutAllocating() throws IOException {
    ArtifactCipher cipher = ArtifactCipher.sealed(K1).withChunkSize(1);
    byte[] bad = Files.readAllBytes(seal(cipher, data(3)));
    java.nio.ByteBuffer.wrap(bad).putLong(16, Long.MAX_VALUE / 2); // length field: chunks × tag overflows
    Path f = Files.write(dir.resolve("huge"), bad);
    assertThatThrownBy(() -> open(cipher, f))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("truncated or extended");
  }

  @Test
  void aWrongMasterKeyIsNamedByItsId() throws IOException {
    Path f = seal(ArtifactCipher.sealed(K1), data(10));
    assertThatThrownBy(() -> open(ArtifactCipher.sealed(K2), f))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(
            "artifact ab/test is encrypted under master key "
                + K1.currentId()
                + ", which is not loaded"
                + " (loaded: ["
                + K2.currentId()
                + "])");
    assertThatThrownBy(() -> open(ArtifactCipher.plain(), f))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining(K1.currentId() + ", which is not loaded (no master key is configured)");
  }

  @Test
  void theSamePlaintextNeverEncryptsTheSameWay() throws IOException {
    ArtifactCipher cipher = ArtifactCipher.sealed(K1).withChunkSize(CHUNK);
    byte[] a = Files.readAllBytes(seal(cipher, data(2 * CHUNK)));
    byte[] b = Files.readAllBytes(seal(cipher, data(2 * CHUNK)));
    assertThat(Arrays.copyOfRange(a, 64, 76)).isNotEqualTo(Arrays.copyOfRange(b, 64, 76)); // payload nonce
    assertThat(Arrays.copyOfRange(a, 76, 136)).isNotEqualTo(Arrays.copyOfRange(b, 76, 136)); // wrap nonce, key
    assertThat(Arrays.copyOfRange(a, 136, a.length)).isNotEqualTo(Arrays.copyOfRange(b, 136, b.length));
    assertThat(Arrays.copyOfRange(a, 0, 64)).isEqualTo(Arrays.copyOfRange(b, 0, 64)); // same length, sha, key id
  }

  @Test
  void theSealedPayloadDoesNotContainThePlaintext() throws IOException {
    byte[] plain = new byte[4 * CHUNK]; // zeros: any leak would show as a run of zeros
    byte[] sealed = Files.readAllBytes(seal(ArtifactCipher.sealed(K1).withChunkSize(CHUNK), plain));
    assertThat(Arrays.copyOfRange(sealed, 136, 136 + 32)).isNotEqualTo(new byte[32]);
  }

  @Test
  void inputOverTheLimitIsRefused() throws IOException {
    Path f = dir.resolve("big");
    try (FileChannel out = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      assertThatThrownBy(() ->
              ArtifactCipher.sealed(K1)
                  .withChunkSize(CHUNK)
                  .encrypt(new ByteArrayInputStream(data(CHUNK * 2 + 1)), CHUNK * 2, out))
          .isInstanceOf(KilnException.class)
          .hasMessage("artifact exceeds the limit of 128 bytes")
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED));
    }
  }

  @Test
  void aPlainArtifactCarriesTheKilnHeaderAndItsChecksum() throws IOException {
    byte[] file = Files.readAllBytes(seal(ArtifactCipher.plain(), data(5)));
    assertThat(new String(file, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("KILN-ENC");
    assertThat(file[9]).isZero();
    assertThat(Arrays.copyOfRange(file, 136, file.length)).isEqualTo(data(5));
  }
}
