package dev.kiln.bench.llm;

import dev.kiln.bench.MachineInfo;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.LlmConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Language models under pressure, on a Kiln server with one HTTP event loop and the tiny model (issue 11): how long one
 * huge chat request (and a burst of chats just small enough to be handled on the event loop) takes and how slow {@code
 * /v2/health/live} gets meanwhile, then what N concurrent chats get (statuses, slowest answer, peak live threads). Uses
 * only the server's public start-up API, so the same class runs against an older build for the "before" line.
 */
@Command(
    name = "llm-pressure",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "A huge chat beside health probes, then many concurrent chats, on the tiny model.")
public final class LlmPressure implements Callable<Integer> {
  @Option(
      names = "--huge-mib",
      defaultValue = "19",
      description = "Size of the huge chat's messages (default: " + "${DEFAULT-VALUE}).")
  int hugeMib;

  @Option(
      names = "--small-kib",
      defaultValue = "240",
      description =
          "Size of each of the small chats sent at once "
              + "beside the probes: under the 256 KiB above which the HTTP layer offloads a request (default: "
              + "${DEFAULT-VALUE}).")
  int smallKib;

  @Option(
      names = "--small-copies",
      defaultValue = "16",
      description = "Small chats sent at once (default: " + "${DEFAULT-VALUE}).")
  int smallCopies;

  @Option(names = "--chats", defaultValue = "300", description = "Concurrent chats (default: ${DEFAULT-VALUE}).")
  int chats;

  @Option(
      names = "--tokens",
      defaultValue = "64",
      description = "max_tokens of each concurrent chat (default: " + "${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--slots", defaultValue = "4", description = "Slots (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/llm-pressure",
      description = "Model repository " + "(default: ${DEFAULT-VALUE}).")
  Path workDir;

  private PrintStream out = System.out;

  public static void main(String[] args) {
    PrintStream report = System.out;
    System.setOut(System.err); // llama.cpp's loader prints to stdout
    LlmPressure p = new LlmPressure();
    p.out = report;
    System.exit(new CommandLine(p).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path repo = workDir.toAbsolutePath();
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    KilnConfig config = KilnConfig.defaults(repo, 0, 0);
    MachineInfo.describe().forEach(l -> out.println("- " + l));
    out.printf(
        Locale.ROOT, "- server: one HTTP event loop, tiny model, %d slots, context 512, 2 llama.cpp threads%n", slots);
    try (Kiln kiln =
        Kiln.start(config.withHttp(config.http().withIoThreads(1)).withLlm(new LlmConfig(512, slots, 2)))) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      out.printf(
          Locale.ROOT,
          "%n| chats beside the probes | statuses | all answered ms | health probes during "
              + "them | slowest /v2/health/live ms |%n|---|---|---:|---:|---:|%n");
      beside(http, kiln.httpPort(), hugeMib * 1048576L, 1);
      beside(http, kiln.httpPort(), smallKib * 1024L, smallCopies);
      concurrent(http, kiln.httpPort());
    }
    return 0;
  }

  /** {@code copies} chats of about {@code bytes} each, sent at once, while /v2/health/live is asked every 20 ms. */
  private void beside(HttpClient http, int port, long bytes, int copies) throws Exception {
    int messages = 8;
    String words = "hello world kiln clay ".repeat((int) (bytes / messages / 22));
    StringBuilder body = new StringBuilder("{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[");
    for (int i = 0; i < messages; i++) {
      body.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"").append(words).append("\"}");
    }
    String json = body.append("]}").toString();
    long sent = System.nanoTime();
    List<CompletableFuture<HttpResponse<Void>>> chats = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      chats.add(http.sendAsync(post(port, json), HttpResponse.BodyHandlers.discarding()));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(chats.toArray(CompletableFuture[]::new));
    long slowest = 0;
    int probes = 0;
    while (!all.isDone()) {
      long t = System.nanoTime();
      http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/health/live")).build(),
          HttpResponse.BodyHandlers.discarding());
      slowest = Math.max(slowest, System.nanoTime() - t);
      probes++;
      Thread.sleep(20);
    }
    long took = System.nanoTime() - sent;
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (CompletableFuture<HttpResponse<Void>> c : chats) {
      statuses.merge(c.get().statusCode(), 1, Integer::sum);
    }
    out.printf(
        Locale.ROOT,
        "| %d × %.2f MiB, %d messages each | %s | %d | %d | %d |%n",
        copies,
        json.length() / 1048576.0,
        messages,
        statuses,
        took / 1_000_000,
        probes,
        slowest / 1_000_000);
  }

  private void concurrent(HttpClient http, int port) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int before = threads.getThreadCount();
    threads.resetPeakThreadCount();
    String json =
        "{\"model\":\"tiny\",\"max_tokens\":"
            + tokens
            + ",\"temperature\":0,\"messages\":[{\"role\":"
            + "\"user\",\"content\":\"hello\"}]}";
    List<CompletableFuture<long[]>> calls = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < chats; i++) {
      long sent = System.nanoTime();
      calls.add(
          http.sendAsync(post(port, json), HttpResponse.BodyHandlers.discarding())
              .thenApply(r -> new long[] {r.statusCode(), System.nanoTime() - sent}));
    }
    Map<Long, long[]> byStatus = new TreeMap<>(); // status -> count, slowest ns
    for (CompletableFuture<long[]> c : calls) {
      long[] r = c.get(10, TimeUnit.MINUTES);
      long[] s = byStatus.computeIfAbsent(r[0], k -> new long[2]);
      s[0]++;
      s[1] = Math.max(s[1], r[1]);
    }
    long all = System.nanoTime() - start;
    StringBuilder statuses = new StringBuilder();
    byStatus.forEach((status, s) ->
        statuses.append(
            String.format(
                Locale.ROOT, "%s%d × %d (slowest %.1f s)", statuses.isEmpty() ? "" : ", ", s[0], status, s[1] / 1e9)));
    out.printf(
        Locale.ROOT,
        "%n| concurrent chats | max_tokens | statuses | all answered s | peak live threads "
            + "(before) |%n|---:|---:|---|---:|---:|%n| %d | %d | %s | %.1f | %d (%d) |%n",
        chats,
        tokens,
        statuses,
        all / 1e9,
        threads.getPeakThreadCount(),
        before);
  }

  private static HttpRequest post(int port, String json) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
        .timeout(Duration.ofMinutes(10))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }
}
