package dev.kiln.govern.crypto;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.repository.ModelName;
import java.util.regex.Pattern;

/**
 * The gate for names that arrive in requests or archives: model names, aliases, dataset names, checksums. Each is
 * checked against a closed ASCII grammar on the value exactly as the router decoded it once; the grammar has no {@code
 * %}, {@code /}, {@code \}, {@code :}, {@code #}, control or non-ASCII characters and no {@code ..}, so a name that
 * passes can neither climb out of a directory nor turn into something else if decoded again, and cannot hide a
 * lookalike. Names never become paths in this module anyway ({@link ArtifactStore} draws its own keys); the gate is
 * there for everything else that might build one.
 *
 * <p>Model names, aliases and dataset names share kiln-core's {@link ModelName} grammar ({@code
 * [A-Za-z0-9][A-Za-z0-9_.-]{0,127}} without {@code ..}), so a name is valid or not in the same way everywhere.
 */
public final class SafeNames {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private SafeNames() {}

  /**
   * @throws KilnException INVALID_ARGUMENT naming the rule
   */
  public static String requireModelName(String raw) {
    return ModelName.require(raw);
  }

  /**
   * @throws KilnException INVALID_ARGUMENT naming the rule
   */
  public static String requireAlias(String raw) {
    return require(raw, "alias");
  }

  /**
   * @throws KilnException INVALID_ARGUMENT naming the rule
   */
  public static String requireDatasetName(String raw) {
    return require(raw, "dataset name");
  }

  public static boolean isModelName(String raw) {
    return ModelName.isValid(raw);
  }

  public static boolean isAlias(String raw) {
    return ModelName.isValid(raw);
  }

  /** A SHA-256 as Kiln writes it: exactly 64 lower-case hex digits. */
  public static String requireSha256(String raw) {
    if (raw == null || !SHA256.matcher(raw).matches()) {
      throw KilnException.invalid("invalid sha256 (expected: 64 lower-case hex digits)");
    }
    return raw;
  }

  private static String require(String raw, String what) {
    if (!ModelName.isValid(raw)) {
      throw KilnException.invalid(
          "invalid " + what + " (expected: letters, digits, '_', '-', '.'; at most 128; no '..')");
    }
    return raw;
  }
}
