package dev.kiln.core.repository;

import dev.kiln.core.error.KilnException;
import java.util.regex.Pattern;

/**
 * The grammar of model names. Anything else (dots alone, slashes, backslashes, percent signs, control characters) is
 * refused before a path is ever built from it, so no name can leave the repository root.
 */
public final class ModelName {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private ModelName() {}

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches() && !name.contains("..");
  }

  /** Returns the name, or throws INVALID_ARGUMENT naming the rule. */
  public static String require(String name) {
    if (!isValid(name)) {
      throw KilnException.invalid(
          "invalid model name (expected: letters, digits, '_', '-', '.'; at most 128; no '..')");
    }
    return name;
  }
}
