package dev.kiln.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** Where and when a run happened, for the header of its report: results mean little without it. */
public final class MachineInfo {
  private MachineInfo() {}

  public static List<String> describe() {
    Runtime rt = Runtime.getRuntime();
    return List.of(
        "date (UTC): " + Instant.now().truncatedTo(ChronoUnit.SECONDS),
        "cores: " + rt.availableProcessors() + " (" + cpuModel().orElse("CPU model unknown") + ")",
        "memory: " + memTotal().orElse("unknown") + "; JVM max heap " + rt.maxMemory() / (1 << 20) + " MiB",
        "JDK: "
            + System.getProperty("java.vm.name")
            + " "
            + Runtime.version()
            + " ("
            + System.getProperty("java.vendor")
            + ")",
        "OS: "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
  }

  /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them. */
  public static String loadAverage() {
    return firstLine("/proc/loadavg").map(l -> String.join(" ", List.of(l.split(" ")).subList(0, 3))).orElse("unknown");
  }

  /** Model name, and family/model/cache, since VMs often report only a vendor and a product line. */
  private static Optional<String> cpuModel() {
    return grep("/proc/cpuinfo", "model name")
        .map(name ->
            value(name)
                + ", family "
                + grep("/proc/cpuinfo", "cpu family").map(MachineInfo::value).orElse("?")
                + " model "
                + grep("/proc/cpuinfo", "model\t").map(MachineInfo::value).orElse("?")
                + ", cache "
                + grep("/proc/cpuinfo", "cache size").map(MachineInfo::value).orElse("?"));
  }

  private static String value(String cpuinfoLine) {
    return cpuinfoLine.substring(cpuinfoLine.indexOf(':') + 1).trim();
  }

  private static Optional<String> memTotal() {
    return grep("/proc/meminfo", "MemTotal")
        .map(l -> {
          long kib = Long.parseLong(l.replaceAll("[^0-9]", ""));
          return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
        });
  }

  /** The first line starting with {@code prefix} (a regular expression). */
  private static Optional<String> grep(String file, String prefix) {
    try {
      return Files.readAllLines(Path.of(file)).stream().filter(l -> l.matches(prefix + ".*")).findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not Linux: the header says "unknown"
    }
  }

  private static Optional<String> firstLine(String file) {
    try {
      return Files.readAllLines(Path.of(file)).stream().findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
