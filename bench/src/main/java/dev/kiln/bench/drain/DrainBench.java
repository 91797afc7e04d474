package dev.kiln.bench.drain;

import dev.kiln.bench.MachineInfo;
import dev.kiln.onnx.ExampleModels;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Drain under load (issue 10's slow suite): a real {@code kiln serve} child, closed-loop clients over REST, gRPC unary
 * and ModelStreamInfer, SIGTERM in the middle of the load. Reports when readiness flipped on each protocol, the last
 * request served, what happened to the requests in flight at the signal and to those sent after it (answered, refused,
 * never sent, lost), how the streams ended, and the exit code.
 */
@Command(
    name = "drain-bench",
    mixinStandardHelpOptions = true,
    description = "SIGTERM a kiln serve child under REST + gRPC + stream load and report the drain timeline.")
public final class DrainBench implements Callable<Integer> {
  static final Pattern PORTS = Pattern.compile("on [^ ]+:(\\d+), gRPC on [^ ]+:(\\d+)");

  @Option(names = "--rest-clients", defaultValue = "8", description = "Closed-loop REST clients.")
  int restClients;

  @Option(names = "--grpc-clients", defaultValue = "8", description = "Closed-loop gRPC ModelInfer clients.")
  int grpcClients;

  @Option(names = "--stream-clients", defaultValue = "2", description = "Clients each holding a ModelStreamInfer.")
  int streamClients;

  @Option(
      names = "--load",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Load before the SIGTERM.")
  Duration load;

  @Option(names = "--drain-timeout", defaultValue = "30s", description = "The server's --drain-timeout.")
  String drainTimeout;

  @Option(
      names = "--queue-delay-us",
      defaultValue = "20000",
      description = "Batching delay of the model: the " + "longer, the more requests are in flight at the signal.")
  int queueDelayMicros;

  @Option(
      names = "--max-batch-size",
      defaultValue = "32",
      description = "Rows one execution may carry; 1 turns " + "batching off.")
  int maxBatchSize;

  @Option(names = "--rounds", defaultValue = "1", description = "Independent runs (a fresh server each).")
  int rounds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DrainBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    out.println("Drain under load: " + String.join("; ", MachineInfo.describe()));
    out.printf(
        "%d REST + %d gRPC closed-loop clients, %d streams, MLP 784-128-10 batching up to %d rows with a "
            + "%d µs delay, SIGTERM after %s of load, --drain-timeout %s%n%n",
        restClients, grpcClients, streamClients, maxBatchSize, queueDelayMicros, load, drainTimeout);
    out.println(
        "| round | REST ready→503 | gRPC ServerReady→false | last served | in flight at SIGTERM "
            + "(answered / refused / lost) | after SIGTERM (answered / refused / not sent / lost) | streams ended | "
            + "exit | SIGTERM→exit |");
    out.println("|---|---|---|---|---|---|---|---|---|");
    int worst = 0;
    for (int round = 1; round <= rounds; round++) {
      Timeline t = runOnce();
      List<Timeline.Call> inFlight = t.inFlightAtSigterm();
      var flight = t.count(inFlight);
      var after = t.count(t.startedAfterSigterm());
      out.printf(
          "| %d | %d ms | %d ms | %s | %d (%d / %d / %d) | %d / %d / %d / %d | %s | %d | %d ms |%n",
          round,
          t.ms(t.restNotReadyAt.get()),
          t.ms(t.grpcNotReadyAt.get()),
          t.lastServed().isPresent() ? t.ms(t.lastServed().getAsLong()) + " ms" : "none",
          inFlight.size(),
          flight.getOrDefault(Outcome.OK, 0),
          flight.getOrDefault(Outcome.REFUSED, 0),
          flight.getOrDefault(Outcome.LOST, 0) + flight.getOrDefault(Outcome.NOT_SENT, 0),
          after.getOrDefault(Outcome.OK, 0),
          after.getOrDefault(Outcome.REFUSED, 0),
          after.getOrDefault(Outcome.NOT_SENT, 0),
          after.getOrDefault(Outcome.LOST, 0),
          String.join(", ", t.streamEnds),
          t.exitCode,
          t.ms(t.exit));
      // The verdict is T11's: everything in flight at the signal answered, and exit 0. Requests sent after the
      // signal on a connection the closing listener cuts (0-4 a round, BENCHMARKS.md) are reported, not judged:
      // that race is open (see the reading there), and a smoke test cannot pass or fail on it by chance.
      boolean clean = t.exitCode == 0 && flight.getOrDefault(Outcome.LOST, 0) == 0;
      for (String protocol : List.of("rest", "grpc", "stream")) {
        System.err.printf(
            "%s: all %s, in flight %s, after %s%n",
            protocol,
            t.count(t.calls.stream().filter(c -> c.protocol().equals(protocol)).toList()),
            t.count(inFlight.stream().filter(c -> c.protocol().equals(protocol)).toList()),
            t.count(t.startedAfterSigterm().stream().filter(c -> c.protocol().equals(protocol)).toList()));
      }
      t.calls.stream()
          .filter(c -> c.outcome() == Outcome.LOST)
          .limit(5)
          .forEach(c ->
              System.err.printf(
                  "lost: %s started %d ms, ended %d ms after SIGTERM%n", c.protocol(), t.ms(c.start()), t.ms(c.end())));
      worst = clean ? worst : 1;
    }
    return worst;
  }

  private Timeline runOnce() throws Exception {
    Path dir = Files.createTempDirectory("kiln-drain-bench");
    Path repo = dir.resolve("models");
    ExampleModels.Mlp mlp = ExampleModels.Mlp.random(784, 128, 10, 3);
    ExampleModels.write(repo, "mlp", 1, mlp.onnx());
    Files.writeString(
        repo.resolve("mlp/config.json"),
        "{\"max-batch-size\": "
            + maxBatchSize
            + ", \"dynamic-batching\": "
            + "{\"max-queue-delay-us\": "
            + queueDelayMicros
            + "}}");
    Path log = dir.resolve("kiln.log");
    Process child = start(dir, repo, log);
    System.err.println("server log: " + log);
    int[] ports = ports(child, log);
    Timeline t = new Timeline();
    try (Load loadRun = new Load(t, "127.0.0.1", ports[0], ports[1])) {
      loadRun.warmUp();
      loadRun.start(restClients, grpcClients, streamClients);
      Thread.sleep(load.toMillis());
      t.sigterm = System.nanoTime();
      System.err.printf("[bench %tT.%<tL] SIGTERM%n", System.currentTimeMillis());
      child.destroy(); // SIGTERM
      boolean exited = child.waitFor(Durations.seconds(drainTimeout) + 60, TimeUnit.SECONDS);
      t.exit = System.nanoTime();
      t.exitCode = exited ? child.exitValue() : -1;
      // Let the clients see the closed ports (NOT_SENT) once, then stop them.
      Thread.sleep(200);
    } finally {
      child.destroyForcibly();
    }
    return t;
  }

  private Process start(Path dir, Path repo, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // -Xss8m: ONNX Runtime 1.29 can need more than 2 MB of stack to create its environment (seen on a 2-vCPU VM).
    return new ProcessBuilder(
            java,
            "-Xss8m",
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx1g",
            "-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n",
            "-cp",
            absoluteClassPath(),
            "dev.kiln.cli.Main",
            "serve",
            "--models",
            repo.toString(),
            "--http-port",
            "0",
            "--grpc-port",
            "0",
            "--no-database",
            "--no-training",
            "--drain-timeout",
            drainTimeout,
            "--data",
            dir.resolve("data").toString())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** This JVM's class path with absolute entries: the child runs in a temporary folder. */
  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(e ->
            e.endsWith("*")
                ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + "/*"
                : Path.of(e).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** Waits for the child's banner in its log and reads its ports. */
  private static int[] ports(Process child, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline && child.isAlive()) {
      Matcher m = PORTS.matcher(Files.exists(log) ? Files.readString(log) : "");
      if (m.find()) {
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("kiln serve did not start:\n" + Files.readString(log));
  }

  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Duration.ofSeconds(Durations.seconds(value));
    }
  }

  static final class Durations {
    static long seconds(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      return v.endsWith("ms")
          ? Math.max(1, Long.parseLong(v.substring(0, v.length() - 2)) / 1000)
          : v.endsWith("s")
              ? Long.parseLong(v.substring(0, v.length() - 1))
              : v.endsWith("m") ? 60 * Long.parseLong(v.substring(0, v.length() - 1)) : Long.parseLong(v);
    }
  }
}
