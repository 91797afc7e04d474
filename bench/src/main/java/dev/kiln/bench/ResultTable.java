package dev.kiln.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Formats a run's cells as a Markdown table, followed by the two target ratios computed from the same cells. */
final class ResultTable {
  /** Target (a): batched server throughput at concurrency 16 over in-process throughput. */
  static final double THROUGHPUT_TARGET = 0.8;

  /** Target (b): p50 latency the server adds over in-process at concurrency 1. */
  static final double ADDED_P50_TARGET_MICROS = 150;

  private static final int HIGH_CONCURRENCY = 16;

  private final List<CellResult> results;

  ResultTable(List<CellResult> results) {
    this.results = List.copyOf(results);
  }

  List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add(
        "| mode | batching | concurrency | requests/s | p50 µs | p99 µs | errors | rows/exec | queue µs "
            + "| exec µs | cores busy | CPU µs/req | client CPU | other procs |");
    out.add("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    results.forEach(r -> out.add(row(r)));
    for (CellResult r : results) {
      if (r.client().errors() > 0) {
        out.add("");
        out.add("⚠ " + r.cell() + ": " + r.client().errors() + " error(s), first: " + r.client().firstError());
      }
    }
    List<String> targets = targets();
    if (!targets.isEmpty()) {
      out.add("");
      out.addAll(targets);
    }
    out.add("");
    out.addAll(cpuByPool());
    return out;
  }

  /** Exact (not sampled) CPU per request of each thread pool, from the JVM's per-thread CPU clocks. */
  private List<String> cpuByPool() {
    List<String> out = new ArrayList<>();
    out.add("CPU µs per request by thread pool (bench-* is the load generator; the rest is the server and JVM):");
    out.add("");
    for (CellResult r : results) {
      long requests = Math.max(1, r.client().requests());
      StringBuilder line = new StringBuilder("- " + r.cell() + ":");
      r.client().cpu().byPool().entrySet().stream()
          .filter(e -> e.getValue() * 1e-3 / requests >= 0.5) // under half a µs per request is noise
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> line.append(String.format(" %s %.0f,", e.getKey(), e.getValue() * 1e-3 / requests)));
      line.setLength(line.length() - 1);
      out.add(line.toString());
    }
    return out;
  }

  private static String row(CellResult r) {
    boolean server = r.cell().mode().viaServer();
    CpuSample.Usage cpu = r.client().cpu();
    return String.format(
        "| %s | %s | %d | %s%.0f | %.0f | %.0f | %d | %s | %s | %s | %.2f | %.0f | %.0f%% | %.2f |",
        r.cell().mode().label(),
        r.cell().batchingLabel(),
        r.cell().concurrency(),
        r.client().errors() > 0 ? "⚠ " : "",
        r.requestsPerSecond(),
        r.p50Micros(),
        r.p99Micros(),
        r.client().errors(),
        server ? String.format("%.1f", r.server().rowsPerExecution()) : "—",
        server ? String.format("%.0f", r.server().queueMicros()) : "—",
        server ? String.format("%.0f", r.server().computeMicros()) : "—",
        cpu.coresBusy(),
        r.cpuMicrosPerRequest(),
        100 * cpu.clientShare(),
        cpu.otherCores());
  }

  private List<String> targets() {
    List<String> out = new ArrayList<>();
    Optional<CellResult> ceiling = find(Mode.IN_PROCESS, HIGH_CONCURRENCY, false);
    Optional<CellResult> direct = find(Mode.IN_PROCESS, 1, false);
    if (ceiling.isEmpty() && direct.isEmpty()) {
      return out; // both targets compare with in-process cells
    }
    out.add(
        "Target (a), batching on, concurrency "
            + HIGH_CONCURRENCY
            + ": server requests/s ÷ in-process "
            + "requests/s ≥ "
            + THROUGHPUT_TARGET);
    for (CellResult r : results) {
      if (r.cell().mode().viaServer()
          && r.cell().batching()
          && r.cell().concurrency() == HIGH_CONCURRENCY
          && ceiling.isPresent()) {
        double ratio = r.requestsPerSecond() / ceiling.get().requestsPerSecond();
        out.add(
            String.format(
                "- %s (%s): %.0f / %.0f = **%.3f** %s",
                r.cell().mode().label(),
                r.cell().batchingLabel(),
                r.requestsPerSecond(),
                ceiling.get().requestsPerSecond(),
                ratio,
                verdict(ratio >= THROUGHPUT_TARGET, r)));
      }
    }
    out.add("");
    out.add("Target (b), concurrency 1: server p50 − in-process p50 ≤ " + (int) ADDED_P50_TARGET_MICROS + " µs");
    for (CellResult r : results) {
      if (r.cell().mode().viaServer() && r.cell().concurrency() == 1 && direct.isPresent()) {
        double added = r.p50Micros() - direct.get().p50Micros();
        out.add(
            String.format(
                "- %s (batching %s): %.0f − %.0f = **%.0f µs** %s",
                r.cell().mode().label(),
                r.cell().batchingLabel(),
                r.p50Micros(),
                direct.get().p50Micros(),
                added,
                verdict(added <= ADDED_P50_TARGET_MICROS, r)));
      }
    }
    return out;
  }

  private static String verdict(boolean met, CellResult r) {
    if (r.client().errors() > 0) {
      return "(cell had errors)";
    }
    return met ? "met" : "MISSED";
  }

  private Optional<CellResult> find(Mode mode, int concurrency, boolean batching) {
    return results.stream()
        .filter(
            r -> r.cell().mode() == mode && r.cell().concurrency() == concurrency && r.cell().batching() == batching)
        .findFirst();
  }
}
