package dev.kiln.training.data;

/** Parsing of numbers in raw files. */
final class Numbers {
  private Numbers() {}

  /** The value of a decimal number such as {@code -1.5e3}, or null when {@code raw} is not one. */
  static Double parse(String raw) {
    String s = raw.strip();
    // Double.parseDouble also takes "Infinity", hex and a trailing 'd'/'f'; a data file means none of those.
    if (s.isEmpty() || !isDecimal(s)) {
      return null;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Whether {@code raw} is a decimal number; unlike {@link #parse} it allocates no boxed value. */
  static boolean isNumber(String raw) {
    String s = raw.strip();
    if (s.isEmpty() || !isDecimal(s)) {
      return false;
    }
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isDecimal(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
        return false;
      }
    }
    return true;
  }
}
