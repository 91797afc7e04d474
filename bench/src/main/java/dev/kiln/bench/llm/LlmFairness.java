package dev.kiln.bench.llm;

import dev.kiln.bench.MachineInfo;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.govern.auth.Scope;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.LlmConfig;
import io.micrometer.core.instrument.Gauge;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fairness between API keys ({@code bench/llm fairness}): on a Kiln server with auth on and the tiny model, key B's one
 * chat alone, then while key A's flood of chats is queued, with the default per-key share of the queue and with A's
 * whole flood queued; and, for what a first-come queue gives, B's chat sent with A's own key behind that flood. Each
 * flood is admitted in full (answered, queued or running) before B's chat is sent, and drained before the next round.
 */
@Command(
    name = "llm-fairness",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "One key's chat alone and under another key's flood, on the tiny model with auth on.")
public final class LlmFairness implements Callable<Integer> {
  @Option(names = "--flood", defaultValue = "300", description = "Key A's chats (default: ${DEFAULT-VALUE}).")
  int flood;

  @Option(
      names = "--tokens",
      defaultValue = "64",
      description = "max_tokens of every chat (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--slots", defaultValue = "4", description = "Slots (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--threads", defaultValue = "2", description = "llama.cpp threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--rounds", defaultValue = "3", description = "Rounds per mode (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/llm-fairness",
      description = "Model repository and data (default: ${DEFAULT-VALUE}).")
  Path workDir;

  private PrintStream out = System.out;

  public static void main(String[] args) {
    PrintStream report = System.out;
    System.setOut(System.err); // llama.cpp's loader prints to stdout
    System.exit(run(report, args));
  }

  /** The same run, printing its report to {@code out} (the smoke test reads it). */
  static int run(PrintStream out, String... args) {
    LlmFairness f = new LlmFairness();
    f.out = out;
    return new CommandLine(f).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Path repo = workDir.toAbsolutePath().resolve("models");
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    out.println("## Language-model fairness: one key's chat under another key's flood");
    out.println();
    MachineInfo.describe().forEach(l -> out.println("- " + l));
    out.printf(
        Locale.ROOT,
        "- server: auth on, tiny model, %d slots, context 512, %d llama.cpp threads; every chat max_tokens %d,"
            + " temperature 0; %d rounds per mode%n%n",
        slots,
        threads,
        tokens,
        rounds);
    out.println(
        "| mode | queue / per key | B's latency p50 ms | min ms | max ms | A's chats answered while B's waited (p50)"
            + " | A's statuses (last round) |");
    out.println("|---|---|---:|---:|---:|---:|---|");
    LlmConfig base = new LlmConfig(512, slots, threads);
    run("default share", base, false, true);
    LlmConfig all = new LlmConfig(512, slots, threads, flood + 16, Duration.ofMinutes(10)).withQueuePerKey(flood);
    run("whole flood queued", all, false, false);
    run("whole flood queued, B with A's key (first come, first served)", all, true, false);
    return 0;
  }

  /** Rounds of one mode on a server of its own; with {@code alone}, B's chats alone first. */
  private void run(String mode, LlmConfig llm, boolean sameKey, boolean alone) throws Exception {
    Path data = Files.createTempDirectory(workDir.toAbsolutePath(), "data");
    KilnConfig config =
        KilnConfig.defaults(workDir.toAbsolutePath().resolve("models"), 0, 0)
            .withLlm(llm)
            .withGovernance(GovernanceConfig.defaults(data).withAuth(true));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (Kiln kiln = Kiln.start(config)) {
      String a = key(kiln, "a");
      String b = sameKey ? a : key(kiln, "b");
      URI chat = URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v1/chat/completions");
      send(http, chat, b).get(2, TimeUnit.MINUTES); // warm-up
      String queue = llm.queue() + " / " + llm.queuePerKey();
      if (alone) {
        long[] ms = new long[rounds];
        for (int i = 0; i < rounds; i++) {
          long t = System.nanoTime();
          send(http, chat, b).get(2, TimeUnit.MINUTES);
          ms[i] = (System.nanoTime() - t) / 1_000_000;
        }
        row("B alone", queue, ms, new long[] {0}, "");
      }
      Gauge waiting = kiln.registry().find("kiln_llm_num_requests_waiting").tag("model", "tiny").gauge();
      long[] ms = new long[rounds];
      long[] during = new long[rounds];
      Map<Integer, Integer> statuses = new TreeMap<>();
      for (int r = 0; r < rounds; r++) {
        AtomicInteger aDone = new AtomicInteger();
        List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
          sent.add(
              send(http, chat, a)
                  .whenComplete((x, e) -> {
                    if (x != null && x.statusCode() == 200) {
                      aDone.incrementAndGet();
                    }
                  }));
        }
        while (sent.stream().filter(CompletableFuture::isDone).count() + waiting.value() + slots < flood) {
          Thread.sleep(2);
        }
        int before = aDone.get();
        long t = System.nanoTime();
        int status = send(http, chat, b).get(10, TimeUnit.MINUTES).statusCode();
        ms[r] = (System.nanoTime() - t) / 1_000_000;
        during[r] = aDone.get() - before;
        if (status != 200) {
          throw new IllegalStateException("B's chat was answered " + status);
        }
        statuses.clear();
        for (CompletableFuture<HttpResponse<Void>> f : sent) {
          statuses.merge(f.get(10, TimeUnit.MINUTES).statusCode(), 1, Integer::sum);
        }
        System.err.printf(Locale.ROOT, "%s round %d: B %d ms, %d of A's meanwhile%n", mode, r, ms[r], during[r]);
      }
      row(mode, queue, ms, during, statuses.toString());
    }
  }

  private void row(String mode, String queue, long[] ms, long[] during, String statuses) {
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    long[] d = during.clone();
    Arrays.sort(d);
    out.printf(
        Locale.ROOT,
        "| %s | %s | %d | %d | %d | %d | %s |%n",
        mode,
        queue,
        sorted[sorted.length / 2],
        sorted[0],
        sorted[sorted.length - 1],
        d[d.length / 2],
        statuses);
  }

  private static String key(Kiln kiln, String name) {
    return kiln.apiKeys()
        .orElseThrow()
        .create(name, List.of(Scope.parse("invoke:*")), null, Map.of(), null, "bench")
        .token();
  }

  private CompletableFuture<HttpResponse<Void>> send(HttpClient http, URI uri, String key) {
    String json =
        "{\"model\":\"tiny\",\"max_tokens\":"
            + tokens
            + ",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hello kiln\"}]}";
    return http.sendAsync(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofMinutes(10))
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }
}
