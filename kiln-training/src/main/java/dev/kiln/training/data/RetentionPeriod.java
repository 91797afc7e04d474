package dev.kiln.training.data;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a dataset name's versions are kept, as people type it: {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s};
 * {@code none} keeps them for ever. Whole seconds, at least one.
 */
public final class RetentionPeriod {
  private static final Pattern PERIOD = Pattern.compile("([1-9][0-9]{0,8})([smhd])");

  private RetentionPeriod() {}

  /**
   * @return empty for {@code none}
   * @throws KilnException INVALID_ARGUMENT for anything else that is not a period
   */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.equals("none")) {
      return Optional.empty();
    }
    Matcher m = PERIOD.matcher(text);
    if (!m.matches()) {
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT, "retention: '" + text + "' (expected: a period such as 30d, 12h, 90m, or none)");
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
  }

  /** The period in the largest unit that divides it: {@code 30d}, {@code 36h}, {@code 90s}. */
  public static String format(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
