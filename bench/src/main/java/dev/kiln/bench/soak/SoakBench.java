package dev.kiln.bench.soak;

import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.onnx.ExampleModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the soak (T13) and the disconnect storm (T12) against fresh {@code kiln serve} child processes and prints a
 * Markdown report on stdout; progress goes to stderr. Exit code 1 when a target is missed.
 */
@Command(
    name = "soak-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Soak with killed clients, and disconnect storms, against a kiln serve process.")
public final class SoakBench implements Callable<Integer> {
  static final String MLP = "mlp";
  static final String SLOW = "mlp-slow";
  static final String LLM = "tiny-llm";

  @Option(
      names = "--duration",
      defaultValue = "3m",
      converter = DurationConverter.class,
      description = "Soak length, e.g. 3m or 4h (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Load before the baseline RSS and heap are taken (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--concurrency", defaultValue = "20", description = "Soak clients (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--kill-percent",
      defaultValue = "5",
      description = "Share of soak calls made by clients killed mid-request (default: ${DEFAULT-VALUE}).")
  double killPercent;

  @Option(
      names = "--storm-clients",
      defaultValue = "1000",
      description = "Dropped streams, and unary calls past their deadline, per storm (default: ${DEFAULT-VALUE}).")
  int stormClients;

  @Option(
      names = "--storm-at-once",
      defaultValue = "50",
      description = "Storm clients at a time " + "(default: ${DEFAULT-VALUE}).")
  int stormAtOnce;

  @Option(
      names = "--max-tokens",
      defaultValue = "1000",
      description =
          "max_tokens of a dropped stream: generation that would outlast the check (default: " + "${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--deadline-ms",
      defaultValue = "5",
      description = "Client deadline of the unary storm calls (default: ${DEFAULT-VALUE}).")
  int deadlineMs;

  @Option(
      names = "--thread-margin",
      defaultValue = "4",
      description = "Live threads above the baseline still counted as back (default: ${DEFAULT-VALUE}).")
  int threadMargin;

  @Option(
      names = "--thread-wait",
      defaultValue = "70s",
      converter = DurationConverter.class,
      description =
          "How long to wait for live threads to come back after a storm wave; longer than the 60 s a "
              + "cached pool keeps an idle thread (default: ${DEFAULT-VALUE}).")
  Duration threadWait;

  @Option(
      names = "--server-opts",
      defaultValue = "",
      description = "Extra JVM options for the server, e.g. -Xmx1g (default: the JVM's own heap sizing).")
  String serverOpts;

  @Option(names = "--only", description = "soak or storm (default: both).")
  String only = "";

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/soak-bench",
      description = "Models, data and server.log (default: ${DEFAULT-VALUE}).")
  Path workDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SoakBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path models = Files.createDirectories(workDir.resolve("models"));
    ExampleModels.write(models, MLP, 1, ExampleModels.Mlp.random(784, 16, 10, 7).onnx());
    // Wide enough that one call of 64 rows takes longer than --deadline-ms on any CPU.
    ExampleModels.write(models, SLOW, 1, ExampleModels.Mlp.random(784, 4096, 10, 8).onnx());
    TinyLlama.write(Files.createDirectories(models.resolve(LLM + "/1")).resolve("model.gguf"), 42);
    SoakReport report = new SoakReport(System.out);
    report.header();
    boolean passed = true;
    if (!only.equals("storm")) {
      try (ServerProcess server =
          ServerProcess.start(models, workDir.resolve("data-soak"), workDir.resolve("server.log"), serverOpts)) {
        System.err.println("soak: server pid " + server.pid() + ", " + duration + " at concurrency " + concurrency);
        Soak.Result r =
            new Soak(server, InferRequests.of(MLP, 1, 784, 1), System.err)
                .run(duration, warmup, concurrency, killPercent);
        passed &= report.soak(r);
        report.retries(server.startRetries);
      }
    }
    if (!only.equals("soak")) {
      try (ServerProcess server =
          ServerProcess.start(models, workDir.resolve("data-storm"), workDir.resolve("server.log"), serverOpts)) {
        System.err.println("storm: server pid " + server.pid());
        Storm storm = new Storm(server, LLM, InferRequests.of(SLOW, 64, 784, 2), System.err, threadWait);
        double threads = storm.warmUp();
        Storm.Wave streams = storm.streams(stormClients, stormAtOnce, maxTokens, threads, threadMargin);
        Storm.Wave unary =
            storm.deadlines(stormClients, stormAtOnce, Duration.ofMillis(deadlineMs), threads, threadMargin);
        passed &=
            report.storm(
                stormAtOnce,
                maxTokens,
                deadlineMs,
                threadMargin,
                streams,
                unary,
                server.alive(),
                storm.threadsBefore());
        report.retries(server.startRetries);
      }
    }
    return passed ? 0 : 1;
  }

  /** {@code 30s}, {@code 3m}, {@code 4h}, or an ISO-8601 duration. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String s) {
      String v = s.trim().toLowerCase();
      if (v.startsWith("p")) {
        return Duration.parse(s);
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new CommandLine.TypeConversionException("not a duration: " + s + " (e.g. 30s, 3m, 4h)");
      };
    }
  }
}
