package dev.kiln.cli;

/** The demo's output: one line per step or check, and the count of failed checks that decides the exit code. */
final class DemoChecks {
  private int failures;

  void check(String what, boolean ok, String detail) {
    failures += ok ? 0 : 1;
    System.out.printf("  %s %-28s %s%n", ok ? "ok  " : "FAIL", what, detail);
  }

  static void step(String what, String detail) {
    System.out.printf("  ..   %-28s %s%n", what, detail);
  }

  /** Prints the verdict; the exit code: 0 when every check passed. */
  int report() {
    System.out.println(failures == 0 ? "demo: all checks passed" : "demo: " + failures + " check(s) FAILED");
    return failures == 0 ? 0 : 1;
  }
}
