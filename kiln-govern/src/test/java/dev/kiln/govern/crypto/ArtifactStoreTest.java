package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactStoreTest {
  static final byte[] K1 = ArtifactCipherTest.key(1);
  static final byte[] K2 = ArtifactCipherTest.key(2);

  @TempDir Path dir;

  ArtifactStore store(byte[]... ring) {
    ArtifactCipher cipher =
        ring.length == 0 ? ArtifactCipher.plain() : ArtifactCipher.sealed(MasterKeys.of(List.of(ring)));
    return ArtifactStore.open(dir.resolve("store"), cipher.withChunkSize(1024));
  }

  static byte[] data(int n) {
    return ArtifactCipherTest.data(n);
  }

  static ByteArrayInputStream in(byte[] b) {
    return new ByteArrayInputStream(b);
  }

  List<Path> filesUnder(String sub) throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("store").resolve(sub))) {
      return s.filter(Files::isRegularFile).toList();
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
  void theFileAtRestIsEncryptedAndOwnerOnly() throws IOException {
    ArtifactStore store = store(K1);
    byte[] plain = "a model that must not be readable at rest".repeat(10).getBytes();
    String key = store.put(in(plain), 1 << 20).key();
    Path file = dir.resolve("store/objects").resolve(key);
    assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
        .startsWith("KILN-ENC")
        .doesNotContain("must not be readable");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
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
  }

  @Test
  void readToLeavesNoFileWhenAChunkOrTheChecksumFails() throws IOException {
    ArtifactStore store = store(K1);
    ArtifactStore.PutResult r = store.put(in(data(5000)), 1 << 20);
    Path target = dir.resolve("out.bin");
    assertThatThrownBy(() -> store.readTo(r.key(), ArtifactCipher.sha256Hex(data(1)), target))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("does not match its registry checksum");
    Path file = dir.resolve("store/objects").resolve(r.key());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 100] ^= 1; // the last chunk: earlier ones were already written out
    Files.write(file, bytes);
    assertThatThrownBy(() -> store.readTo(r.key(), r.sha256(), target))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("chunk 4 failed authentication");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("store");
    }
  }

  @Test
  void aTamperedFileIsRefusedAndAMissingOneIsNotFound() throws IOException {
    ArtifactStore store = store(K1);
    ArtifactStore.PutResult r = store.put(in(data(3000)), 1 << 20);
    Path file = dir.resolve("store/objects").resolve(r.key());
    byte[] bytes = Files.readAllBytes(file);
    bytes[2000] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> store.read(r.key(), r.sha256()))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessage(
            "artifact "
                + r.key()
                + " failed its integrity check (chunk 1 failed authentication): "
                + "tampered or corrupted");
    assertThat(store.delete(r.key())).isTrue();
    assertThat(store.delete(r.key())).isFalse();
    assertThatThrownBy(() -> store.read(r.key(), r.sha256()))
        .isInstanceOf(KilnException.class)
        .hasMessage("artifact " + r.key() + " not found")
        .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void rotationRewrapsEveryDataKeySoTheOldKeyCanBeDropped() throws IOException {
    ArtifactStore.PutResult a = store(K1).put(in(data(2500)), 1 << 20);
    ArtifactStore.PutResult b = store(K1).put(in(data(10)), 1 << 20);
    Path file = dir.resolve("store/objects").resolve(a.key());
    byte[] payloadBefore = payload(file);

    ArtifactStore rotated = store(K2, K1);
    assertThat(rotated.read(a.key(), a.sha256())).isEqualTo(data(2500)); // old key still readable
    assertThat(rotated.rewrapAll()).isEqualTo(2);
    assertThat(rotated.rewrapAll()).isZero();
    assertThat(payload(file)).isEqualTo(payloadBefore); // payload copied, not re-encrypted

    ArtifactStore onlyNew = store(K2);
    assertThat(onlyNew.read(a.key(), a.sha256())).isEqualTo(data(2500));
    assertThat(onlyNew.read(b.key(), b.sha256())).isEqualTo(data(10));
    String k2 = MasterKeys.of(List.of(K2)).currentId();
    assertThatThrownBy(() -> store(K1).read(a.key(), a.sha256()))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("encrypted under master key " + k2 + ", which is not loaded");
    assertThat(filesUnder("tmp")).isEmpty();
  }

  static byte[] payload(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    return java.util.Arrays.copyOfRange(all, 136, all.length);
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
    assertThat(filesUnder("objects")).isEmpty();
    assertThat(filesUnder("tmp")).isEmpty();
  }

  @Test
  void cleanTmpRemovesOnlyStaleLeftovers() throws IOException {
    ArtifactStore store = store(K1);
    Path stale = Files.write(dir.resolve("store/tmp/dead.part"), new byte[10]);
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    Path live = Files.write(dir.resolve("store/tmp/live.part"), new byte[10]);
    assertThat(store.cleanTmp(Duration.ofMinutes(10))).isEqualTo(1);
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "../x",
        "/etc/passwd",
        "ab/../../x",
        "%2e%2e/x",
        "..%2f..%2fvictim",
        "../victim",
        "ab/../../victim",
        "ab\\0123456789abcdef0123456789abcd",
        "AB/0123456789ABCDEF0123456789ABCD",
        "ab/cdef",
        "ab/0123456789abcdef0123456789abcd/",
        "/ab/0123456789abcdef0123456789abcd",
        "ab//123456789abcdef0123456789abcd",
        "ab/0123456789abcdef0123456789abc%00",
        "ab/0123456789abcdef0123456789abcd\n",
        "ab/０123456789abcdef0123456789abcd"
      })
  void keysOutsideTheGrammarAreRefusedBeforeAnyPathIsBuilt(String key) throws IOException {
    ArtifactStore store = store(K1);
    Path victim = Files.write(dir.resolve("victim"), "do not touch".getBytes());
    Path inside = Files.write(dir.resolve("store/victim"), "do not touch".getBytes());
    for (Runnable call : List.<Runnable>of(() -> store.read(key, "0".repeat(64)), () -> store.delete(key))) {
      assertThatThrownBy(call::run)
          .isInstanceOf(KilnException.class)
          .hasMessage("invalid artifact key")
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
    }
    assertThat(victim).hasContent("do not touch");
    assertThat(inside).hasContent("do not touch");
  }

  @Test
  void symbolicLinksInsideTheStoreAreNeitherFollowedNorListed() throws IOException {
    ArtifactStore store = store(K1);
    ArtifactStore.PutResult r = store.put(in(data(100)), 1000);
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.copy(dir.resolve("store/objects").resolve(r.key()), outside.resolve("0123456789abcdef0123456789abcd"));
    Path linkedFile = dir.resolve("store/objects/aa/0123456789abcdef0123456789abcd");
    Files.createDirectories(linkedFile.getParent());
    Files.createSymbolicLink(linkedFile, outside.resolve("0123456789abcdef0123456789abcd"));
    Files.createSymbolicLink(dir.resolve("store/objects/bb"), outside);

    for (String key : List.of("aa/0123456789abcdef0123456789abcd", "bb/0123456789abcdef0123456789abcd")) {
      assertThatThrownBy(() -> store.read(key, r.sha256()))
          .isInstanceOf(KilnException.class)
          .hasMessage("invalid artifact key");
      assertThatThrownBy(() -> store.delete(key)).hasMessage("invalid artifact key");
    }
    assertThat(outside.resolve("0123456789abcdef0123456789abcd")).exists();
    assertThat(store.keys()).containsExactly(r.key());
  }
}
