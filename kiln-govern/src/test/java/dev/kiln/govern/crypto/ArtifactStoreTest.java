package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.blob.BlobStore;
import dev.kiln.govern.blob.FolderBlobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract on the local folder, plus what only a folder has: file modes, links, {@code tmp/}. */
class ArtifactStoreTest extends ArtifactStoreContract {
  private BlobStore blobs;

  @Override
  BlobStore blobs() {
    if (blobs == null) {
      blobs = FolderBlobs.open(dir.resolve("store"));
    }
    return blobs;
  }

  /** Through the folder factory, as the server opened it before there were backends. */
  @Override
  ArtifactStore store(byte[]... ring) {
    ArtifactCipher cipher =
        ring.length == 0 ? ArtifactCipher.plain() : ArtifactCipher.sealed(MasterKeys.of(List.of(ring)));
    return ArtifactStore.open(dir.resolve("store"), cipher.withChunkSize(1024));
  }

  List<Path> filesUnder(String sub) throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("store").resolve(sub))) {
      return s.filter(Files::isRegularFile).toList();
    }
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
