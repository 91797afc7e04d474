package dev.kiln.bench.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.bench.MachineInfo;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.store.GovernanceStores;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the list APIs the web console calls on a large installation. A real server (in this JVM, auth on, SQLite) first
 * makes its keys and a few datasets through the API; then, stopped, gets its database seeded ({@link ConsoleSeed});
 * then, started again on it, answers each list request {@code --requests} times after {@code --warmup} untimed ones,
 * one at a time over HTTP. Prints a Markdown table of the median and p95 per request.
 */
@Command(
    name = "console-bench",
    mixinStandardHelpOptions = true,
    description = "Times the console's list APIs on a seeded large installation.")
public final class ConsoleBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--models", defaultValue = "1000", description = "Registry models (3 versions each).")
  int models;

  @Option(names = "--jobs", defaultValue = "10000", description = "Training jobs (20 epochs of history each).")
  int jobs;

  @Option(names = "--audit", defaultValue = "100000", description = "Audit events.")
  int audit;

  @Option(names = "--keys", defaultValue = "20", description = "API keys besides the admin's.")
  int keys;

  @Option(names = "--datasets", defaultValue = "30", description = "Datasets, uploaded through the API.")
  int datasets;

  @Option(names = "--requests", defaultValue = "20", description = "Timed requests per list.")
  int requests;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed requests per list first.")
  int warmup;

  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ConsoleBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path data = Files.createTempDirectory("kiln-console-bench");
    Path masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    KilnConfig config =
        KilnConfig.defaults(Files.createDirectories(data.resolve("repo")), 0, 0)
            .withTraining(TrainingConfig.defaults(data))
            .withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey));
    String admin;
    List<String> owners = new ArrayList<>();
    String member;
    List<String> names = new ArrayList<>();
    try (Kiln kiln = Kiln.start(config)) {
      port = kiln.httpPort();
      admin = kiln.bootstrapToken().orElseThrow();
      owners.add(admin.substring(5, 17)); // kiln_<id>_<secret>
      member = null;
      for (int i = 0; i < keys; i++) {
        JsonNode k = send("POST", "/api/v1/keys", admin, "{\"name\":\"user-" + i + "\",\"scopes\":[\"train\"]}");
        owners.add(k.get("id").asText());
        member = member == null ? k.get("token").asText() : member;
      }
      for (int i = 0; i < datasets; i++) {
        String name = String.format(Locale.ROOT, "dataset-%02d", i);
        send("POST", "/api/v1/datasets/" + name + "?label=y&task=regression", admin, "x,y\n1,3\n2,5\n3,7\n4,9\n");
        names.add(name);
      }
    }
    long seeding = System.nanoTime();
    new ConsoleSeed().seed(data.resolve(GovernanceStores.SQLITE_FILE), models, jobs, audit, owners, names);
    double seeded = (System.nanoTime() - seeding) / 1e9;
    try (Kiln kiln = Kiln.start(config)) {
      port = kiln.httpPort();
      report(admin, member, seeded);
    } finally {
      delete(data);
    }
    return 0;
  }

  /** The installation's folder, once the server on it has stopped (tens of MB: it is not left in /tmp). */
  private static void delete(Path folder) throws IOException {
    try (Stream<Path> all = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  private void report(String admin, String member, double seeded) throws Exception {
    System.out.println("## Console on a large installation\n");
    MachineInfo.describe().forEach(l -> System.out.println("- " + l));
    System.out.printf(
        Locale.ROOT,
        "- installation: %,d models (3 versions each), %,d jobs (20 epochs of history each), %,d audit events,"
            + " %d keys, %d datasets, %,d daily usage rows; seeded in %.1f s%n",
        models,
        jobs,
        audit,
        keys + 1,
        datasets,
        (keys + 1) * 300,
        seeded);
    System.out.printf(
        "- %d requests per row after %d untimed, one at a time, admin key unless said; load average before: %s%n%n",
        requests, warmup, MachineInfo.loadAverage());
    System.out.println("| list | request | items | X-Total-Count | bytes | median ms | p95 ms |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    row("jobs, first page", "/api/v1/jobs?limit=50", admin);
    row("jobs, first page (key, own jobs)", "/api/v1/jobs?limit=50", member);
    row("jobs by state", "/api/v1/jobs?state=failed&limit=50", admin);
    row("jobs by text", "/api/v1/jobs?q=logistic&limit=50", admin);
    row("jobs, last page", "/api/v1/jobs?limit=50&offset=" + (jobs - 50), admin);
    row("jobs, default page", "/api/v1/jobs", admin);
    walk("jobs, every page (kiln jobs list)", admin);
    row("models, first page", "/api/v1/models?limit=50", admin);
    row("models by name", "/api/v1/models?q=model-09&limit=50", admin);
    row("models, whole list (no paging)", "/api/v1/models", admin);
    row("audit, first page", "/api/v1/audit?limit=50", admin);
    row("audit by action", "/api/v1/audit?action=model.alias&limit=50", admin);
    row("audit, deep page", "/api/v1/audit?limit=50&offset=" + (audit - 50), admin);
    row("audit, 10,000 newest (the old maximum)", "/api/v1/audit?limit=10000", admin);
    row("datasets, first page", "/api/v1/datasets?limit=50", admin);
    row("datasets, whole list (no paging)", "/api/v1/datasets", admin);
    row("usage, first page", "/api/v1/usage?limit=50", admin);
    row("usage, whole list (no paging)", "/api/v1/usage", admin);
    row("keys, first page", "/api/v1/keys?limit=50", admin);
  }

  private void row(String what, String path, String key) throws Exception {
    HttpResponse<byte[]> last = null;
    for (int i = 0; i < warmup; i++) {
      last = get(path, key);
    }
    double[] ms = new double[requests];
    for (int i = 0; i < requests; i++) {
      long t = System.nanoTime();
      last = get(path, key);
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    int items = JSON.readTree(last.body()).size();
    String total = last.headers().firstValue("x-total-count").orElse("-");
    print(what, "`GET " + path + "`", Integer.toString(items), total, last.body().length, ms);
  }

  /** All the jobs a page of 1,000 at a time, as {@code kiln jobs list} reads them: one sample is the whole walk. */
  private void walk(String what, String key) throws Exception {
    double[] ms = new double[Math.max(1, requests / 4)];
    long bytes = 0;
    int items = 0;
    for (int i = -1; i < ms.length; i++) { // the first walk is the warm-up
      long t = System.nanoTime();
      bytes = 0;
      items = 0;
      for (int offset = 0; ; offset += 1000) {
        HttpResponse<byte[]> page = get("/api/v1/jobs?limit=1000&offset=" + offset, key);
        bytes += page.body().length;
        int n = JSON.readTree(page.body()).size();
        items += n;
        if (n < 1000) {
          break;
        }
      }
      if (i >= 0) {
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
    }
    print(what + ", " + ms.length + " walks", "`GET /api/v1/jobs?limit=1000&offset=...`", "" + items, "-", bytes, ms);
  }

  private static void print(String what, String request, String items, String total, long bytes, double[] ms) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
    double p95 = sorted[(int) Math.ceil(0.95 * sorted.length) - 1];
    System.out.printf(
        Locale.ROOT, "| %s | %s | %s | %s | %,d | %.1f | %.1f |%n", what, request, items, total, bytes, median, p95);
  }

  private HttpResponse<byte[]> get(String path, String key) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + new String(r.body()));
    }
    return r;
  }

  private JsonNode send(String method, String path, String key, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }
}
