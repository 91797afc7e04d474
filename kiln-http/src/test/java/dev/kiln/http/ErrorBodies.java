package dev.kiln.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scans a caller-facing error body for what only the server should know: absolute file-system paths, Java class names,
 * stack frames, library source locations and parser internals. Any test that produces error bodies can call {@link
 * #leaks} on each and assert the list is empty.
 */
public final class ErrorBodies {
  /** What each kind of leak looks like; the names appear in the findings. */
  private static final Map<String, Pattern> LEAKS =
      Map.of(
          "absolute path",
              Pattern.compile(
                  "(?<![\\w.:/])/(?:tmp|home|root|usr|var|etc|opt|proc|dev|work|private|Users|mnt|srv)/[^\\s\"']*"
                      + "|\\b[A-Za-z]:\\\\[^\\s\"']+"),
          "Java class name", Pattern.compile("\\b[a-z]+(\\.[a-z0-9]+)+\\.[A-Z]\\w+"),
          "exception name", Pattern.compile("\\b\\w*(Exception|Error)\\b(?=[:\\s\"]|$)(?<!\\berror)"),
          "stack frame", Pattern.compile("\\bat [\\w$.]+\\("),
          "source location", Pattern.compile("\\.(cc|cpp|c|h|hpp|java|kt|py|rs|go):\\d+"),
          "parser internals", Pattern.compile("\\[Source: |StreamReadConstraints|\\bline: \\d+, column: \\d+\\]"));

  private ErrorBodies() {}

  /**
   * The leaks found in {@code body}, each as "kind: matched text"; empty when the body is clean.
   *
   * @param forbidden further strings that must not appear (a test's temp folder, a secret)
   */
  public static List<String> leaks(String body, String... forbidden) {
    List<String> found = new ArrayList<>();
    LEAKS.forEach((kind, p) -> {
      Matcher m = p.matcher(body);
      while (m.find()) {
        found.add(kind + ": " + m.group());
      }
    });
    for (String f : forbidden) {
      if (!f.isEmpty() && body.contains(f)) {
        found.add("forbidden: " + f);
      }
    }
    return found;
  }
}
