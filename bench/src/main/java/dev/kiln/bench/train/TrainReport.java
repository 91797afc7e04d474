package dev.kiln.bench.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Markdown report: one row per (network, threads) comparing the two sides, then every run's epoch times. Epoch 1 is
 * shown apart and left out of the median, since it carries one-off costs (allocator growth, libtorch's first-call
 * kernel selection, JIT compilation on the Java side).
 */
final class TrainReport {
  /** Kiln's epoch may take at most this multiple of PyTorch's (issue 12: 0.8). */
  static final double TIME_TARGET = 0.8;

  /** Kiln's mean test accuracy may differ from PyTorch's by at most this many points. */
  static final double ACCURACY_TARGET_POINTS = 0.5;

  private TrainReport() {}

  static void print(PrintStream out, List<String> header, List<Run> runs) {
    out.println("## Training: Kiln vs PyTorch in Python");
    out.println();
    header.forEach(line -> out.println("- " + line));
    out.println();
    out.println(
        "| model | threads | Kiln epoch 1 s | PyTorch epoch 1 s | Kiln epoch s | PyTorch epoch s "
            + "| Kiln/PyTorch | Kiln CPU s | PyTorch CPU s | CPU ratio "
            + "| Kiln accuracy % | PyTorch accuracy % | Δ points | target |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (List<Run> group : groups(runs)) {
      List<Run> kiln = side(group, Run.Side.KILN);
      List<Run> torch = side(group, Run.Side.PYTORCH);
      double kilnEpoch = median(later(kiln));
      double torchEpoch = median(later(torch));
      double ratio = kilnEpoch / torchEpoch;
      double kilnCpu = median(laterCpu(kiln));
      double torchCpu = median(laterCpu(torch));
      double delta = 100 * (mean(kiln) - mean(torch));
      Run first = group.get(0);
      out.println(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.2f | %.3f | %.3f | %.2f | %s | %s | %+.2f | %s |",
              first.net().id(),
              first.threads(),
              median(firstEpochs(kiln)),
              median(firstEpochs(torch)),
              kilnEpoch,
              torchEpoch,
              ratio,
              kilnCpu,
              torchCpu,
              kilnCpu / torchCpu,
              accuracies(kiln),
              accuracies(torch),
              delta,
              verdict(ratio, delta)));
    }
    out.println();
    out.println(
        "*Epoch s*: median over every repetition's epochs 2 and later, training loop only; *epoch 1 s*: "
            + "median of the repetitions' first epochs; *CPU s*: the same epochs' median CPU time of the training "
            + "thread (one intra-op thread computes on it), less disturbed by other processes than wall time; the "
            + "target is judged on wall time. Accuracy: each repetition's test accuracy after the last epoch, "
            + "then their mean; *Δ points* = Kiln's mean − PyTorch's mean.");
    out.println();
    out.println("Every run, in the order run (seconds per epoch, wall / CPU):");
    out.println();
    for (Run r : runs) {
      out.println(
          String.format(
              Locale.ROOT,
              "- %s %s, %d thread(s), repetition %d: %s; accuracy %.2f %%",
              r.net().id(),
              r.side() == Run.Side.KILN ? "Kiln" : "PyTorch",
              r.threads(),
              r.repetition() + 1,
              epochs(r),
              100 * r.accuracy()));
    }
  }

  private static String verdict(double ratio, double deltaPoints) {
    List<String> missed = new ArrayList<>();
    if (!(ratio <= TIME_TARGET)) {
      missed.add("time");
    }
    if (!(Math.abs(deltaPoints) <= ACCURACY_TARGET_POINTS)) {
      missed.add("accuracy");
    }
    return missed.isEmpty() ? "met" : "missed: " + String.join(", ", missed);
  }

  /** Runs grouped by (network, threads), in the order each group first ran. */
  private static List<List<Run>> groups(List<Run> runs) {
    List<List<Run>> groups = new ArrayList<>();
    for (Run r : runs) {
      groups.stream()
          .filter(g -> g.get(0).net() == r.net() && g.get(0).threads() == r.threads())
          .findFirst()
          .ifPresentOrElse(g -> g.add(r), () -> groups.add(new ArrayList<>(List.of(r))));
    }
    return groups;
  }

  private static List<Run> side(List<Run> group, Run.Side side) {
    return group.stream().filter(r -> r.side() == side).toList();
  }

  private static List<Double> later(List<Run> runs) {
    List<Double> v = runs.stream().flatMap(r -> r.epochSeconds().stream().skip(1)).toList();
    return v.isEmpty() ? firstEpochs(runs) : v; // a one-epoch run has nothing else to show
  }

  private static String epochs(Run r) {
    List<String> each = new ArrayList<>();
    for (int i = 0; i < r.epochSeconds().size(); i++) {
      double cpu = i < r.epochCpuSeconds().size() ? r.epochCpuSeconds().get(i) : Double.NaN;
      each.add(String.format(Locale.ROOT, "%.3f / %.3f", r.epochSeconds().get(i), cpu));
    }
    return String.join(", ", each);
  }

  private static List<Double> laterCpu(List<Run> runs) {
    List<Double> v = runs.stream().flatMap(r -> r.epochCpuSeconds().stream().skip(1)).toList();
    return v.isEmpty() ? runs.stream().flatMap(r -> r.epochCpuSeconds().stream().limit(1)).toList() : v;
  }

  private static List<Double> firstEpochs(List<Run> runs) {
    return runs.stream().map(r -> r.epochSeconds().get(0)).toList();
  }

  private static double mean(List<Run> runs) {
    return runs.stream().mapToDouble(Run::accuracy).average().orElse(Double.NaN);
  }

  private static String accuracies(List<Run> runs) {
    String each =
        runs.stream()
            .map(r -> String.format(Locale.ROOT, "%.2f", 100 * r.accuracy()))
            .collect(Collectors.joining(" / "));
    return runs.size() == 1 ? each : String.format(Locale.ROOT, "%s (%.2f)", each, 100 * mean(runs));
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
