package dev.kiln.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What governance costs: each governed cell (API key checked, usage counted, maybe rate limited) against the same cell
 * without governance, as medians over the run's rounds, with the target that governance takes at most 5 % of the
 * throughput at concurrency 16. Rounds run every cell in turn (A, B, C, A, B, C, ...), so a governed cell and its plain
 * counterpart of the same round ran within a minute of each other; the per-round ratios show how much the machine's
 * noise moves the answer.
 */
final class AuthOverhead {
  /** Governed throughput may be at most this much below plain throughput (the 5 %). */
  static final double MAX_OVERHEAD = 0.05;

  private static final int TARGET_CONCURRENCY = 16;

  private final Map<Cell, List<CellResult>> rounds;

  /**
   * @param rounds every cell's results, one per round, in round order
   */
  AuthOverhead(Map<Cell, List<CellResult>> rounds) {
    this.rounds = Map.copyOf(rounds);
  }

  /** The result whose requests/s is the median of the cell's rounds (the lower one of an even count). */
  static CellResult medianRound(List<CellResult> results) {
    List<CellResult> sorted =
        results.stream().sorted(Comparator.comparingDouble(CellResult::requestsPerSecond)).toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  static double median(List<CellResult> results, ToDoubleFunction<CellResult> value) {
    double[] v = results.stream().mapToDouble(value).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Requests/s of every round per cell, in the order the cells ran; empty for a single round. */
  List<String> perRound(List<Cell> order) {
    List<String> out = new ArrayList<>();
    if (rounds.values().stream().allMatch(r -> r.size() < 2)) {
      return out;
    }
    out.add("Requests/s per round (the table above shows each cell's median round):");
    out.add("");
    for (Cell cell : order) {
      List<CellResult> r = rounds.get(cell);
      out.add(
          "- "
              + cell
              + ": "
              + r.stream().map(x -> String.format("%.0f", x.requestsPerSecond())).collect(Collectors.joining(", "))
              + String.format(" (median %.0f)", median(r, CellResult::requestsPerSecond)));
    }
    return out;
  }

  /** The comparison table and the target's verdicts; empty when the run had no governed cell. */
  List<String> lines(List<Cell> order) {
    List<String> out = new ArrayList<>();
    List<Cell> governed = order.stream().filter(c -> c.mode().governed()).toList();
    if (governed.isEmpty()) {
      return out;
    }
    int n = rounds.values().iterator().next().size();
    out.add(
        String.format(
            "Governance overhead: governed requests/s ÷ plain requests/s, medians over %d round%s; "
                + "target at concurrency %d: ≥ %.2f",
            n, n == 1 ? "" : "s", TARGET_CONCURRENCY, 1 - MAX_OVERHEAD));
    out.add("");
    out.add(
        "| mode | batching | concurrency | plain requests/s | governed requests/s | ratio | per-round ratios "
            + "| plain p50 µs | governed p50 µs | plain CPU µs/req | governed CPU µs/req | target |");
    out.add("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
    for (Cell cell : governed) {
      Optional<List<CellResult>> plain =
          Optional.ofNullable(
              rounds.get(new Cell(cell.mode().ungoverned(), cell.concurrency(), cell.queueDelayMicros())));
      if (plain.isEmpty()) {
        out.add(
            "| "
                + cell.mode().label()
                + " | "
                + cell.batchingLabel()
                + " | "
                + cell.concurrency()
                + " | (no "
                + cell.mode().ungoverned().label()
                + " cell in this run) | | | | | | | | |");
        continue;
      }
      out.add(row(cell, plain.get(), rounds.get(cell)));
    }
    return out;
  }

  private static String row(Cell cell, List<CellResult> plain, List<CellResult> governed) {
    double p = median(plain, CellResult::requestsPerSecond);
    double g = median(governed, CellResult::requestsPerSecond);
    double ratio = g / p;
    List<String> paired = new ArrayList<>();
    for (int i = 0; i < Math.min(plain.size(), governed.size()); i++) {
      paired.add(String.format("%.3f", governed.get(i).requestsPerSecond() / plain.get(i).requestsPerSecond()));
    }
    boolean errors =
        plain.stream().anyMatch(r -> r.client().errors() > 0)
            || governed.stream().anyMatch(r -> r.client().errors() > 0);
    String target =
        cell.concurrency() != TARGET_CONCURRENCY
            ? "(not a target)"
            : errors ? "(cells had errors)" : ratio >= 1 - MAX_OVERHEAD ? "met" : "MISSED";
    return String.format(
        "| %s | %s | %d | %.0f | %.0f | **%.3f** | %s | %.0f | %.0f | %.0f | %.0f | %s |",
        cell.mode().label(),
        cell.batchingLabel(),
        cell.concurrency(),
        p,
        g,
        ratio,
        String.join(" ", paired),
        median(plain, CellResult::p50Micros),
        median(governed, CellResult::p50Micros),
        median(plain, CellResult::cpuMicrosPerRequest),
        median(governed, CellResult::cpuMicrosPerRequest),
        target);
  }
}
