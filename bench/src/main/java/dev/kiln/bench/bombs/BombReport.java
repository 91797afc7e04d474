package dev.kiln.bench.bombs;

import dev.kiln.bench.MachineInfo;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** {@link BombBench}'s result as Markdown: the machine, one table row per case, then each case's first error. */
final class BombReport {
  private BombReport() {}

  /** What one case did to the server: answers by status, memory, and the health prober's view. */
  record Outcome(
      BombCase c,
      Map<Integer, Integer> statuses,
      String firstError,
      long idleRssMiB,
      long peakRssMiB,
      long healthMaxMs,
      int healthFailures,
      long seconds) {}

  static void print(PrintStream out, List<Long> baselines, List<Outcome> outcomes) {
    out.println("Run " + LocalDate.now() + "; " + String.join("; ", MachineInfo.describe()));
    out.println();
    out.println(
        "A fresh server per case; idle RSS "
            + baselines.stream().mapToLong(Long::longValue).min().orElse(0)
            + "–"
            + baselines.stream().mapToLong(Long::longValue).max().orElse(0)
            + " MiB.");
    out.println();
    out.println(
        "| case | bomb | copies | statuses | peak RSS (MiB) | above idle | slowest /v2/health/live |"
            + " health failures | seconds |");
    out.println("|---|---|---|---|---|---|---|---|---|");
    for (Outcome o : outcomes) {
      out.printf(
          "| %s | %s | %d | %s | %d | +%d | %d ms | %d | %d |%n",
          o.c().name(),
          o.c().what(),
          o.c().copies(),
          o.statuses(),
          o.peakRssMiB(),
          Math.max(0, o.peakRssMiB() - o.idleRssMiB()),
          o.healthMaxMs(),
          o.healthFailures(),
          o.seconds());
    }
    out.println();
    for (Outcome o : outcomes) {
      if (!o.firstError().isEmpty()) {
        out.println("- " + o.c().name() + ": `" + o.firstError().replace('\n', ' ').replace("`", "'") + "`");
      }
    }
  }
}
