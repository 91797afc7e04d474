package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.http.ApiJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model file written where the user asked, with its lineage beside it as {@code <file>.lineage.json}: only once its
 * bytes match the sha256 the server recorded, and never half-written (each file is written to a temporary file in the
 * same folder and moved into place), so a failed check leaves no file behind.
 */
final class ModelFile {
  private ModelFile() {}

  /** Where the lineage of {@code model} goes: {@code model.onnx} → {@code model.onnx.lineage.json}. */
  static Path lineagePath(Path model) {
    return model.resolveSibling(model.getFileName() + ".lineage.json");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Writes {@code bytes} to {@code out} and {@code lineage} (with {@code sha256} and {@code size_bytes} added) beside
   * it.
   *
   * @param expectedSha256 what the server recorded for the file
   * @throws KilnClient.CallFailed if the bytes do not match it; nothing is written
   */
  static void write(Path out, byte[] bytes, String expectedSha256, ObjectNode lineage) throws IOException {
    String actual = sha256(bytes);
    if (!actual.equalsIgnoreCase(expectedSha256)) {
      throw new KilnClient.CallFailed(
          "checksum mismatch: received sha256 "
              + actual
              + ", the server recorded "
              + expectedSha256
              + "; nothing written");
    }
    lineage.put("sha256", actual).put("size_bytes", bytes.length);
    Path dir = out.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path model = Files.createTempFile(dir, ".kiln-", ".part");
    Path meta = Files.createTempFile(dir, ".kiln-", ".part");
    try {
      Files.write(model, bytes);
      Files.write(meta, ApiJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(lineage));
      Files.move(model, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(meta, lineagePath(out), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(model);
      Files.deleteIfExists(meta);
    }
  }
}
