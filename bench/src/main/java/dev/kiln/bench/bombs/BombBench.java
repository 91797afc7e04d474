package dev.kiln.bench.bombs;

import dev.kiln.bench.soak.ServerProcess;
import dev.kiln.onnx.ExampleModels;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Peak memory of a real {@code kiln serve} process under the request and upload bombs of issue 10 (bad-inputs T3/T4):
 * the server runs as a child process with the JVM's default heap, as a user starts it, and this process samples its
 * resident set from {@code /proc} every 20 ms while a prober asks {@code /v2/health/live} every 50 ms. Each case sends
 * its bomb (several at once where that is the attack), waits for every answer, and reports the statuses, the peak
 * resident set above the idle baseline, and the slowest health answer during the case.
 */
@Command(
    name = "bomb-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Peak RSS and health latency of a kiln serve process under request and dataset bombs.")
public final class BombBench implements Callable<Integer> {
  @Option(
      names = "--concurrency",
      defaultValue = "12",
      description = "Copies of each inference bomb sent at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--server-opts",
      defaultValue = "",
      description = "Extra JVM options for the server process, e.g. -Xmx1g (default: the JVM's own heap sizing).")
  String serverOpts;

  @Option(names = "--cases", split = ",", description = "Only these cases, by name (default: all).")
  List<String> only = List.of();

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/bomb-bench",
      description = "Where the server's models and data are written (default: ${DEFAULT-VALUE}).")
  Path workDir;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  public static void main(String[] args) {
    System.exit(new CommandLine(new BombBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    Path models = Files.createDirectories(workDir.resolve("models"));
    Path data = workDir.resolve("data");
    deleteTree(data);
    ExampleModels.write(models, "mlp", 1, ExampleModels.Mlp.random(784, 16, 10, 7).onnx());
    List<BombReport.Outcome> outcomes = new ArrayList<>();
    List<Long> baselines = new ArrayList<>();
    for (BombCase c : cases()) {
      if (!only.isEmpty() && !only.contains(c.name())) {
        continue;
      }
      // A fresh server per case: the JVM keeps the heap it grew, so a shared server would charge one case's
      // memory to the next.
      deleteTree(data);
      try (ServerProcess server =
          ServerProcess.start(models, data, workDir.resolve("server.log"), serverOpts, List.of())) {
        long baseline = server.rssMiB();
        baselines.add(baseline);
        err.println(
            "bomb-bench: "
                + c.name()
                + " ×"
                + c.copies()
                + " (server pid "
                + server.pid()
                + ", idle "
                + baseline
                + " MiB)");
        outcomes.add(run(c, server, baseline));
      }
    }
    BombReport.print(System.out, baselines, outcomes);
    return 0;
  }

  private List<BombCase> cases() throws IOException {
    String infer = "/v2/models/mlp/infer";
    byte[] shapeBomb = Bombs.declaredShapeJson("input", 85_600, (64 << 20) - 4096);
    byte[] valid = Bombs.validZerosJson("input", 40_000);
    byte[] csvBomb = Bombs.csvBomb(1_000, 2L << 30);
    byte[] png = Bombs.pngBombZip(16_000, "a", "b");
    byte[] zip = Bombs.zipBomb(2L << 30);
    byte[] plain = Bombs.plainCsv(50, 60 << 20);
    return List.of(
        new BombCase(
            "json-declared-shape",
            "FP64 [85600, 784], one value, padded to 64 MiB, " + kib(shapeBomb) + " gzip",
            concurrency,
            infer,
            "application/json",
            true,
            shapeBomb),
        new BombCase(
            "json-valid-64mib",
            "FP32 [40000, 784] of zeros (62 MiB JSON), " + kib(valid) + " gzip",
            concurrency,
            infer,
            "application/json",
            true,
            valid),
        new BombCase(
            "csv-gzip-bomb",
            "gzip CSV, 1,000 columns, 2 GiB inflated, " + kib(csvBomb),
            1,
            "/api/v1/datasets/bomb-csv?label=label",
            "text/csv",
            false,
            csvBomb),
        new BombCase(
            "png-16000",
            "zip of two 16000×16000 PNGs, " + kib(png),
            1,
            "/api/v1/datasets/bomb-png",
            "application/zip",
            false,
            png),
        new BombCase(
            "zip-bomb",
            "zip, one text entry of 2 GiB, " + kib(zip),
            1,
            "/api/v1/datasets/bomb-zip",
            "application/zip",
            false,
            zip),
        new BombCase(
            "csv-plain-60mib",
            "plain CSV, 50 columns, " + kib(plain),
            1,
            "/api/v1/datasets/plain-csv?label=label",
            "text/csv",
            false,
            plain));
  }

  private BombReport.Outcome run(BombCase c, ServerProcess server, long baseline) throws Exception {
    String base = server.base;
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong peak = new AtomicLong();
    AtomicLong healthMax = new AtomicLong();
    AtomicLong healthFailures = new AtomicLong();
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .start(() -> {
              while (!done.get()) {
                peak.accumulateAndGet(server.rssMiB(), Math::max);
                pause(20);
              }
            });
    Thread prober =
        Thread.ofPlatform()
            .daemon()
            .start(() -> {
              HttpRequest live =
                  HttpRequest.newBuilder(URI.create(base + "/v2/health/live")).timeout(Duration.ofSeconds(30)).build();
              while (!done.get()) {
                long t0 = System.nanoTime();
                try {
                  if (http.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                    healthFailures.incrementAndGet();
                  }
                } catch (IOException | InterruptedException e) {
                  healthFailures.incrementAndGet();
                }
                healthMax.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                pause(50);
              }
            });
    long t0 = System.nanoTime();
    Map<Integer, Integer> statuses = new TreeMap<>();
    String firstError = "";
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < c.copies(); i++) {
        HttpRequest request = c.request(base);
        sent.add(pool.submit(() -> http.send(request, HttpResponse.BodyHandlers.ofString())));
      }
      for (Future<HttpResponse<String>> f : sent) {
        int status;
        String body;
        try {
          HttpResponse<String> r = f.get();
          status = r.statusCode();
          body = r.body();
        } catch (Exception e) {
          status = -1;
          body = "no response: " + e.getCause();
        }
        statuses.merge(status, 1, Integer::sum);
        if (status != 200 && status != 201 && firstError.isEmpty()) {
          firstError = body.length() > 160 ? body.substring(0, 160) + "…" : body;
        }
      }
    }
    long seconds = (System.nanoTime() - t0) / 1_000_000_000;
    pause(200);
    done.set(true);
    sampler.join();
    prober.join();
    return new BombReport.Outcome(
        c, statuses, firstError, baseline, peak.get(), healthMax.get(), (int) healthFailures.get(), seconds);
  }

  private static String kib(byte[] b) {
    return String.format("%,d KiB", b.length / 1024);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.exists(p)) {
      try (var walk = Files.walk(p)) {
        walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
