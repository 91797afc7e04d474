package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeysTest {
  @TempDir Path dir;

  static byte[] key(int seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    return k;
  }

  static String b64(byte[] k) {
    return Base64.getEncoder().encodeToString(k);
  }

  Path ownerOnly(String name, byte[] content) throws IOException {
    Path f = Files.write(dir.resolve(name), content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void theIdIsTheFirstEightHexCharsOfTheKeysSha256() throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(key(1));
    assertThat(MasterKeys.of(List.of(key(1))).currentId()).isEqualTo(HexFormat.of().formatHex(digest, 0, 4));
  }

  @Test
  void loadsARawThirtyTwoByteFile() throws IOException {
    MasterKeys keys = MasterKeys.fromFile(ownerOnly("raw", key(1)));
    assertThat(keys.ids()).containsExactly(MasterKeys.of(List.of(key(1))).currentId());
  }

  @Test
  void loadsBase64LinesCurrentFirstSkippingCommentsAndBlanks() throws IOException {
    String text = "# kiln master keys\n" + b64(key(2)) + "\n\n  " + b64(key(1)) + "  \r\n";
    MasterKeys keys = MasterKeys.fromFile(ownerOnly("ring", text.getBytes()));
    assertThat(keys.ids()).containsExactly(idOf(2), idOf(1));
    assertThat(keys.currentId()).isEqualTo(idOf(2));
  }

  static String idOf(int seed) {
    return MasterKeys.of(List.of(key(seed))).currentId();
  }

  @Test
  void badFilesFailWithAClearMessageAndNoKeyMaterial() throws IOException {
    assertThatThrownBy(() -> MasterKeys.fromFile(dir.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("missing does not exist");
    assertThatThrownBy(() -> MasterKeys.fromFile(ownerOnly("short", (b64(new byte[16]) + "\n").getBytes())))
        .hasMessageEndingWith("short line 1 decodes to 16 bytes (expected: 32)");
    assertThatThrownBy(() -> MasterKeys.fromFile(ownerOnly("text", (b64(key(1)) + "\nnot base64!\n").getBytes())))
        .hasMessageEndingWith("text line 2 is not base64 (expected: 32 random bytes, base64-encoded)");
    assertThatThrownBy(() -> MasterKeys.fromFile(ownerOnly("empty", "# nothing\n".getBytes())))
        .hasMessageEndingWith("empty holds no master key");
    assertThatThrownBy(() -> MasterKeys.fromFile(ownerOnly("twice", (b64(key(1)) + "\n" + b64(key(1))).getBytes())))
        .hasMessageContaining("master key " + idOf(1) + " appears twice");
  }

  @Test
  void aKeyFileReadableByOthersIsRefused() throws IOException {
    Path f = ownerOnly("open", key(1));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> MasterKeys.fromFile(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("is accessible by group or others (mode rw-r--r--); run chmod 600 on it");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
    assertThat(MasterKeys.fromFile(f).currentId()).isEqualTo(idOf(1));
  }

  @Test
  void loadsTheEnvironmentWithOldKeysForRotation() {
    assertThat(MasterKeys.fromEnvironment(Map.of())).isEmpty();
    assertThat(MasterKeys.fromEnvironment(Map.of(MasterKeys.ENV, b64(key(1)))).orElseThrow().ids())
        .containsExactly(idOf(1));
    assertThat(
            MasterKeys.fromEnvironment(
                    Map.of(MasterKeys.ENV, b64(key(3)), MasterKeys.ENV_OLD, b64(key(2)) + ", " + b64(key(1))))
                .orElseThrow()
                .ids())
        .containsExactly(idOf(3), idOf(2), idOf(1));
    assertThatThrownBy(() -> MasterKeys.fromEnvironment(Map.of(MasterKeys.ENV_OLD, b64(key(1)))))
        .hasMessage("KILN_MASTER_KEY_OLD is set but KILN_MASTER_KEY is not");
    assertThatThrownBy(() -> MasterKeys.fromEnvironment(Map.of(MasterKeys.ENV, "%%%")))
        .hasMessage("KILN_MASTER_KEY is not base64 (expected: 32 random bytes, base64-encoded)");
  }

  @Test
  void generateWritesAnOwnerOnlyFileAndNeverOverwrites() throws IOException {
    Path f = dir.resolve("master.key");
    MasterKeys generated = MasterKeys.generate(f);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(MasterKeys.fromFile(f).ids()).isEqualTo(generated.ids());
    assertThat(MasterKeys.generate(dir.resolve("other")).currentId()).isNotEqualTo(generated.currentId());
    assertThatThrownBy(() -> MasterKeys.generate(f)).hasMessageEndingWith("already exists; not overwriting it");
    assertThat(MasterKeys.fromFile(f).ids()).isEqualTo(generated.ids());
  }

  @Test
  void rotatePutsAFreshKeyFirstAndKeepsTheOldOnes() throws IOException {
    Path f = dir.resolve("master.key");
    String first = MasterKeys.generate(f).currentId();
    MasterKeys rotated = MasterKeys.rotate(f);
    assertThat(rotated.ids()).hasSize(2).endsWith(first);
    assertThat(rotated.currentId()).isNotEqualTo(first);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
  }

  @Test
  void toStringShowsIdsOnly() {
    assertThat(MasterKeys.of(List.of(key(1))).toString()).isEqualTo("MasterKeys[" + idOf(1) + "]");
  }
}
