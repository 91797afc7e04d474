package dev.kiln.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load run behind {@code BENCHMARKS.md}: one JVM, one Kiln server, one MLP 784-128-10, one row per request, every
 * (mode × concurrency × batching) cell measured in turn, one Markdown table with the target ratios. Progress goes to
 * stderr, the report to stdout.
 */
@Command(
    name = "load-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Compare in-process ONNX Runtime with Kiln over REST JSON, REST binary and gRPC, and Kiln with "
            + "and without governance (API keys, rate limits, usage accounting).")
public final class LoadBench implements Callable<Integer> {
  /** Distinct input rows the workers cycle through; enough that a batch mixes different inputs. */
  private static final int ROWS = 64;

  private static final long SEED = 42;

  @Option(names = "--warmup", defaultValue = "3", description = "Warm-up seconds per cell (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(
      names = "--duration",
      defaultValue = "8",
      description = "Measured seconds per cell (default: ${DEFAULT-VALUE}).")
  double durationSeconds;

  @Option(
      names = "--jit-warmup",
      defaultValue = "1",
      description =
          "Seconds each cell runs per round of the unmeasured JIT warm-up pass (default: "
              + "${DEFAULT-VALUE}; 0 skips the pass).")
  double jitWarmupSeconds;

  @Option(
      names = "--jit-warmup-rounds",
      defaultValue = "5",
      description =
          "Most rounds of the JIT warm-up pass; it stops earlier once a round spends under "
              + JitWarmup.QUIET_PERCENT
              + "%% of its time compiling (default: ${DEFAULT-VALUE}).")
  int jitWarmupRounds;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description =
          "Times every cell is measured, in rounds that each run all cells in turn (A, B, C, B, C, A, "
              + "C, A, B, ...: each round rotates the cells of equal concurrency and batching by one); the table shows "
              + "each cell's median round (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--concurrency",
      split = ",",
      defaultValue = "1,16",
      description = "Closed-loop workers per cell (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrencies;

  @Option(
      names = "--modes",
      split = ",",
      defaultValue = "in-process,in-process-heap,rest-json,rest-binary,grpc",
      description = "Modes to run (default: ${DEFAULT-VALUE}).")
  List<String> modes;

  @Option(
      names = "--batching",
      split = ",",
      defaultValue = "off,on",
      description = "Server cells without and/or with dynamic batching (default: ${DEFAULT-VALUE}).")
  List<String> batching;

  @Option(
      names = "--queue-delay-us",
      split = ",",
      defaultValue = "0",
      description =
          "max-queue-delay-us of the batched model; several values give one batched cell each "
              + "(default: ${DEFAULT-VALUE}).")
  List<Long> queueDelays;

  @Option(
      names = "--max-batch-size",
      defaultValue = "32",
      description = "Batched model's max-batch-size (default: ${DEFAULT-VALUE}).")
  int maxBatchSize;

  @Option(
      names = "--hidden",
      defaultValue = "" + Workload.DEFAULT_HIDDEN,
      description =
          "Hidden width of the MLP (default: ${DEFAULT-VALUE}; the targets are about 128). A wider "
              + "model costs more per row, which shows how protocol overhead weighs against model cost.")
  int hidden;

  @Option(
      names = "--http-io-threads",
      defaultValue = "0",
      description = "Netty event loops of the server's HTTP listener (default: ${DEFAULT-VALUE}, Kiln's default).")
  int httpIoThreads;

  @Option(
      names = "--verify",
      defaultValue = "4",
      description = "Answers per worker whose numbers are checked against plain Java (default: ${DEFAULT-VALUE}).")
  int verifyFirst;

  @Option(names = "--repository", description = "Folder for the model repository (default: a temporary one).")
  Path repository;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // The server logs each load at INFO; only the table belongs on stdout.
    Logger.getLogger("").setLevel(Level.WARNING);
    List<Cell> cells = plan();
    Path root = repository != null ? repository : Files.createTempDirectory("kiln-bench");
    Workload workload = Workload.create(ROWS, SEED, hidden);
    ClosedLoop loop = new ClosedLoop(workload, seconds(warmupSeconds), seconds(durationSeconds), verifyFirst);
    String loadBefore = MachineInfo.loadAverage();
    Map<Cell, List<CellResult>> byCell = new LinkedHashMap<>();
    cells.forEach(c -> byCell.put(c, new ArrayList<>()));
    try (BenchRun run = BenchRun.start(workload, root, maxBatchSize, delays(), httpIoThreads)) {
      if (cells.stream().anyMatch(c -> c.mode().governed())) {
        run.startGoverned(); // before anything is measured: every cell then runs with both servers up
      }
      if (jitWarmupSeconds > 0) {
        new JitWarmup(run, new ClosedLoop(workload, seconds(jitWarmupSeconds), Duration.ZERO, verifyFirst))
            .run(cells, jitWarmupRounds);
      }
      int done = 0;
      for (int round = 1; round <= rounds; round++) {
        for (Cell cell : roundOrder(cells, round)) {
          System.err.printf(
              "[%d/%d] %s%s ...%n", ++done, cells.size() * rounds, cell, rounds > 1 ? " (round " + round + ")" : "");
          CellResult r = run.run(cell, loop);
          System.err.printf(
              "        %.0f requests/s, p50 %.0f µs, p99 %.0f µs, %d errors%n",
              r.requestsPerSecond(), r.p50Micros(), r.p99Micros(), r.client().errors());
          byCell.get(cell).add(r);
        }
      }
    }
    print(System.out, byCell, loadBefore, MachineInfo.loadAverage());
    return byCell.values().stream().flatMap(List::stream).anyMatch(r -> r.client().errors() > 0) ? 1 : 0;
  }

  /**
   * The cells in the order round {@code round} (from 1) runs them: the plan's order, with each run of cells that share
   * concurrency and batching rotated by one more place per round, so that no mode always runs first, or always right
   * after the same other mode.
   */
  static List<Cell> roundOrder(List<Cell> plan, int round) {
    List<Cell> out = new ArrayList<>(plan.size());
    for (int from = 0; from < plan.size(); ) {
      int to = from + 1;
      while (to < plan.size()
          && plan.get(to).concurrency() == plan.get(from).concurrency()
          && plan.get(to).queueDelayMicros().equals(plan.get(from).queueDelayMicros())) {
        to++;
      }
      List<Cell> group = new ArrayList<>(plan.subList(from, to));
      Collections.rotate(group, -(round - 1));
      out.addAll(group);
      from = to;
    }
    return out;
  }

  /** Cells grouped by concurrency, the in-process ones first in each group. */
  List<Cell> plan() {
    if (rounds < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--rounds must be at least 1, not " + rounds);
    }
    List<Mode> wanted = new ArrayList<>();
    for (String m : modes) {
      try {
        wanted.add(Mode.parse(m));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
    }
    List<Cell> cells = new ArrayList<>();
    for (int c : concurrencies) {
      for (Mode m : wanted) {
        if (!m.viaServer()) {
          cells.add(new Cell(m, c, OptionalLong.empty()));
        }
      }
      for (String b : batching) {
        List<OptionalLong> settings =
            switch (b.trim()) {
              case "off" -> List.of(OptionalLong.empty());
              case "on" -> queueDelays.stream().map(OptionalLong::of).toList();
              default ->
                  throw new CommandLine.ParameterException(
                      new CommandLine(this), "--batching takes off and/or on, not '" + b + "'");
            };
        for (OptionalLong delay : settings) {
          for (Mode m : wanted) {
            if (m.viaServer()) {
              cells.add(new Cell(m, c, delay));
            }
          }
        }
      }
    }
    return cells;
  }

  private void print(PrintStream out, Map<Cell, List<CellResult>> byCell, String loadBefore, String loadAfter) {
    List<CellResult> results = byCell.values().stream().map(AuthOverhead::medianRound).toList();
    List<Cell> order = List.copyOf(byCell.keySet());
    out.println("## Kiln load run");
    out.println();
    for (String line : MachineInfo.describe()) {
      out.println("- " + line);
    }
    out.println("- load average (1/5/15 min) before: " + loadBefore + ", after: " + loadAfter);
    out.printf(
        "- model: MLP %d-%d-%d FP32, one row per request; %.0f s warm-up + %.0f s measured per cell; "
            + "batched model: max-batch-size %d%s%n",
        Workload.INPUTS,
        hidden,
        Workload.OUTPUTS,
        warmupSeconds,
        durationSeconds,
        maxBatchSize,
        rounds > 1
            ? "; "
                + rounds
                + " rounds, each running every "
                + "cell in turn; each cell's row is its median round by requests/s"
            : "");
    results.stream()
        .map(r -> r.cell().mode())
        .distinct()
        .forEach(m -> out.println("- " + m.label() + ": " + m.description()));
    out.println();
    new ResultTable(results).lines().forEach(out::println);
    AuthOverhead overhead = new AuthOverhead(byCell);
    for (List<String> section : List.of(overhead.perRound(order), overhead.lines(order))) {
      if (!section.isEmpty()) {
        out.println();
        section.forEach(out::println);
      }
    }
  }

  private long[] delays() {
    return queueDelays.stream().mapToLong(Long::longValue).toArray();
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) (s * 1e9));
  }
}
