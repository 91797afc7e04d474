package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.blob.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every artifact store backend must do, whatever holds the files: {@link ArtifactStoreTest} runs it on a folder,
 * {@link S3ArtifactStoreTest} on a real S3 API. The stored bytes are read and tampered with through the backend itself.
 */
abstract class ArtifactStoreContract {
  static final byte[] K1 = ArtifactCipherTest.key(1);
  static final byte[] K2 = ArtifactCipherTest.key(2);

  @TempDir Path dir;

  /** The backend under test, the same one for every call within a test. */
  abstract BlobStore blobs();

  ArtifactStore store(byte[]... ring) {
    ArtifactCipher cipher =
        ring.length == 0 ? ArtifactCipher.plain() : ArtifactCipher.sealed(MasterKeys.of(List.of(ring)));
    return ArtifactStore.open(blobs(), cipher.withChunkSize(1024));
  }

  static byte[] data(int n) {
    return ArtifactCipherTest.data(n);
  }

  static ByteArrayInputStream in(byte[] b) {
    return new ByteArrayInputStream(b);
  }

  /** The sealed file as stored. */
  byte[] stored(String key) throws IOException {
    try (SeekableByteChannel ch = blobs().open(key).orElseThrow()) {
      ByteBuffer b = ByteBuffer.allocate((int) ch.size());
      while (b.hasRemaining() && ch.read(b) >= 0) {}
      return b.array();
    }
  }

  /** Replaces the stored file behind the store's back. */
  void overwrite(String key, byte[] bytes) throws IOException {
    blobs().put(key, Files.write(blobs().scratch().resolve("tamper.part"), bytes));
  }

  List<Path> scratchFiles() throws IOException {
    try (Stream<Path> s = Files.list(blobs().scratch())) {
      return s.toList();
    }
  }

  @Test
  void putThenReadReturnsThePlaintextUnderAnOpaqueKey() {
    ArtifactStore store = store(K1);
    ArtifactStore.PutResult r = store.put(in(data(5000)), 1 << 20);
    assertThat(r.key()).matches("[0-9a-f]{2}/[0-9a-f]{30}");
    assertThat(r.sha256()).isEqualTo(ArtifactCipher.sha256Hex(data(5000)));
    assertThat(r.sizeBytes()).isEqualTo(5000);
    assertThat(store.read(r.key(), r.sha256())).isEqualTo(data(5000));
    assertThat(store.keys()).containsExactly(r.key());
  }

  @Test
  void theStoredBytesAreEncrypted() throws IOException {
    ArtifactStore store = store(K1);
    byte[] plain = "a model that must not be readable at rest".repeat(10).getBytes();
    String key = store.put(in(plain), 1 << 20).key();
    assertThat(new String(stored(key), java.nio.charset.StandardCharsets.ISO_8859_1))
        .startsWith("KILN-ENC")
        .doesNotContain("must not be readable");
  }

  @Test
  void aChecksumOtherThanTheRegistrysIsRefused() {
    ArtifactStore store = store(K1);
    String key = store.put(in(data(10)), 100).key();
    assertThatThrownBy(() -> store.read(key, ArtifactCipher.sha256Hex(data(11))))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage("artifact " + key + " does not match its registry checksum: tampered or corrupted");
    assertThatThrownBy(() -> store.read(key, "not-a-sha"))
        .isInstanceOf(KilnException.class)
        .hasMessageStartingWith("invalid sha256");
  }

  @Test
  void readToStreamsAManyChunkArtifactIntoAnOwnerOnlyFile() throws IOException {
    ArtifactStore store = store(K1);
    byte[] plain = data(10_000); // ten 1 KiB chunks
    ArtifactStore.PutResult r = store.put(in(plain), 1 << 20);
    Path target = dir.resolve("out.bin");
    assertThat(store.readTo(r.key(), r.sha256(), target)).isEqualTo(10_000);
    assertThat(Files.readAllBytes(target)).isEqualTo(plain);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-------");
    assertThat(scratchFiles()).isEmpty();
  }

  @Test
  void readToLeavesNoFileWhenAChunkOrTheChecksumFails() throws IOException {
    ArtifactStore store = store(K1);
    ArtifactStore.PutResult r = store.put(in(data(5000)), 1 << 20);
    Path out = Files.createDirectories(dir.resolve("out"));
    Path target = out.resolve("out.bin");
    assertThatThrownBy(() -> store.readTo(r.key(), ArtifactCipher.sha256Hex(data(1)), target))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("does not match its registry checksum");
    byte[] bytes = stored(r.key());
    bytes[bytes.length - 100] ^= 1; // the last chunk: earlier ones were already written out
    overwrite(r.key(), bytes);
    assertThatThrownBy(() -> store.readTo(r.key(), r.sha256(), target))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("chunk 4 failed authentication");
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left).isEmpty();
    }
    assertThat(scratchFiles()).isEmpty();
  }

  @Test
  void aTamperedFileIsRefusedAndAMissingOneIsNotFound() throws IOException {
    ArtifactStore store = store(K1);
    ArtifactStore.PutResult r = store.put(in(data(3000)), 1 << 20);
    byte[] bytes = stored(r.key());
    bytes[2000] ^= 1;
    overwrite(r.key(), bytes);
    assertThatThrownBy(() -> store.read(r.key(), r.sha256()))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(
            "artifact "
                + r.key()
                + " failed its integrity check (chunk 1 failed authentication): "
                + "tampered or corrupted");
    assertThat(store.delete(r.key())).isTrue();
    assertThat(store.delete(r.key())).isFalse();
    for (Runnable missing :
        List.<Runnable>of(
            () -> store.read(r.key(), r.sha256()), () -> store.readTo(r.key(), r.sha256(), dir.resolve("x")))) {
      assertThatThrownBy(missing::run)
          .isInstanceOf(KilnException.class)
          .hasMessage("artifact " + r.key() + " not found")
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND));
    }
    assertThat(store.keys()).isEmpty();
  }

  @Test
  void rotationRewrapsEveryDataKeySoTheOldKeyCanBeDropped() throws IOException {
    ArtifactStore.PutResult a = store(K1).put(in(data(2500)), 1 << 20);
    ArtifactStore.PutResult b = store(K1).put(in(data(10)), 1 << 20);
    byte[] payloadBefore = payload(stored(a.key()));

    ArtifactStore rotated = store(K2, K1);
    assertThat(rotated.read(a.key(), a.sha256())).isEqualTo(data(2500)); // old key still readable
    assertThat(rotated.rewrapAll()).isEqualTo(2);
    assertThat(rotated.rewrapAll()).isZero();
    assertThat(payload(stored(a.key()))).isEqualTo(payloadBefore); // payload copied, not re-encrypted

    ArtifactStore onlyNew = store(K2);
    assertThat(onlyNew.read(a.key(), a.sha256())).isEqualTo(data(2500));
    assertThat(onlyNew.read(b.key(), b.sha256())).isEqualTo(data(10));
    String k2 = MasterKeys.of(List.of(K2)).currentId();
    assertThatThrownBy(() -> store(K1).read(a.key(), a.sha256()))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("encrypted under master key " + k2 + ", which is not loaded");
    assertThat(scratchFiles()).isEmpty();
  }

  static byte[] payload(byte[] all) {
    return Arrays.copyOfRange(all, 136, all.length);
  }

  @Test
  void plainArtifactsStayReadableAndRewrapEncryptsThem() {
    ArtifactStore.PutResult r = store().put(in(data(3000)), 1 << 20);
    ArtifactStore sealed = store(K1);
    assertThat(sealed.read(r.key(), r.sha256())).isEqualTo(data(3000));
    assertThat(sealed.rewrapAll()).isEqualTo(1);
    assertThat(sealed.read(r.key(), r.sha256())).isEqualTo(data(3000));
    assertThatThrownBy(() -> store().read(r.key(), r.sha256()))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageEndingWith("which is not loaded (no master key is configured)");
  }

  @Test
  void aPutThatFailsMidwayLeavesNothingBehind() throws IOException {
    ArtifactStore store = store(K1);
    InputStream failing =
        new SequenceInputStream(
            in(data(5000)),
            new InputStream() {
              @Override
              public int read() throws IOException {
                throw new IOException("client went away");
              }
            });
    assertThatThrownBy(() -> store.put(failing, 1 << 20)).isInstanceOf(UncheckedIOException.class);
    assertThatThrownBy(() -> store.put(in(data(5000)), 4096))
        .isInstanceOf(KilnException.class)
        .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED));
    assertThat(store.keys()).isEmpty();
    assertThat(blobs().keys()).isEmpty();
    assertThat(scratchFiles()).isEmpty();
  }

  @Test
  void keysOutsideTheGrammarAreRefusedBeforeTheBackendSeesThem() {
    ArtifactStore store = store(K1);
    for (String key : List.of("../x", "ab/../../x", "AB/0123456789ABCDEF0123456789ABCD", "ab/cdef")) {
      for (Runnable call :
          List.<Runnable>of(() -> store.read(key, "0".repeat(64)), () -> store.delete(key), () -> store.age(key))) {
        assertThatThrownBy(call::run)
            .isInstanceOf(KilnException.class)
            .hasMessage("invalid artifact key")
            .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
      }
    }
  }
}
