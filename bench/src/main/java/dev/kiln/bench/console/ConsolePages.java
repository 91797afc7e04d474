package dev.kiln.bench.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.bench.MachineInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The console's own pages in Debian's Chromium (headless, playwright-core): runs {@code bench-pages.mjs} from the
 * browser tests' folder ({@code kiln-server/src/test/console}, copied into a temporary folder and installed there with
 * {@code npm ci} from its committed lockfile, as {@code ConsoleBrowserTest} does) against a running server, and prints
 * a large installation's timings beside a tiny one's.
 */
final class ConsolePages implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Path> SOURCES =
      List.of(Path.of("kiln-server/src/test/console"), Path.of("../kiln-server/src/test/console"));

  private final Path client;
  private final String chromium;
  private final int runs;
  private final int timeoutMs;

  private ConsolePages(Path client, String chromium, int runs, int timeoutMs) {
    this.client = client;
    this.chromium = chromium;
    this.runs = runs;
    this.timeoutMs = timeoutMs;
  }

  /** Chromium, node and npm, or why not: the browser part needs all three. */
  static Optional<String> missingTools() {
    if (chromium().isEmpty()) {
      return Optional.of("no chromium (/usr/bin/chromium or KILN_CHROMIUM)");
    }
    Path here = Path.of(".");
    return run(here, 30, "node", "--version") != 0 || run(here, 30, "npm", "--version") != 0
        ? Optional.of("no node or npm on the PATH")
        : Optional.empty();
  }

  /** Copies the browser tests' folder (no node_modules) to a temporary one and installs its lockfile there. */
  static ConsolePages install(int runs, int timeoutMs) throws IOException {
    Path source =
        SOURCES.stream()
            .filter(Files::isDirectory)
            .findFirst()
            .orElseThrow(
                () -> new IOException("kiln-server/src/test/console not found from " + Path.of("").toAbsolutePath()));
    Path client = Files.createTempDirectory("kiln-console-pages");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path rel = source.relativize(f);
        if (!rel.startsWith("node_modules")) {
          Files.createDirectories(client.resolve(rel.toString()).getParent());
          Files.copy(f, client.resolve(rel.toString()));
        }
      }
    }
    if (run(client, 300, "npm", "ci", "--no-audit", "--no-fund") != 0) {
      throw new IOException("npm ci failed in " + client);
    }
    return new ConsolePages(client, chromium().orElseThrow(), runs, timeoutMs);
  }

  /** Every page timed against the server on {@code port}, signed in with {@code adminKey}: the script's JSON. */
  JsonNode measure(int port, String adminKey) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("node", "bench-pages.mjs").directory(client.toFile()).redirectErrorStream(false);
    Map<String, String> env = pb.environment();
    env.put("KILN_URL", "http://127.0.0.1:" + port);
    env.put("KILN_ADMIN_KEY", adminKey);
    env.put("KILN_CHROMIUM", chromium);
    env.put("KILN_BENCH_RUNS", Integer.toString(runs));
    env.put("KILN_BENCH_TIMEOUT_MS", Integer.toString(timeoutMs));
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    String load = MachineInfo.loadAverage();
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("bench-pages.mjs failed: " + new String(out, StandardCharsets.UTF_8));
    }
    String text = new String(out, StandardCharsets.UTF_8).strip();
    ObjectNode result = (ObjectNode) JSON.readTree(text.substring(text.lastIndexOf('\n') + 1));
    return result.put("load", load);
  }

  /** A Markdown table: each page's median and max on the large installation, its requests and bytes, the tiny one's. */
  static void print(JsonNode large, JsonNode tiny) {
    System.out.printf(
        Locale.ROOT,
        "%n### The console's pages in Chromium%n%n- %d timed visits per page after 1 untimed, each from the console's"
            + " Not found page (an in-app navigation); ready = the selector in the last column is visible; one model"
            + " `%s`, one job #%d; load average before: %s (large), %s (tiny)%n%n",
        large.path("runs").asInt(),
        large.path("model").asText(),
        large.path("job").asLong(),
        large.path("load").asText(),
        tiny.path("load").asText());
    System.out.println(
        "| page | route | median ms | max ms | API requests | JSON bytes | tiny: median ms | tiny: JSON bytes"
            + " | median ratio | ready when |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for (JsonNode page : large.path("pages")) {
      JsonNode small = tinyPage(tiny, page.path("name").asText());
      double ratio = page.path("median").asDouble(Double.NaN) / small.path("median").asDouble(Double.NaN);
      System.out.printf(
          Locale.ROOT,
          "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | `%s` |%n",
          page.path("name").asText(),
          page.path("route").asText(),
          ms(page.path("median")),
          ms(page.path("max")),
          page.path("requests").asText("-"),
          bytes(page.path("bytes")),
          ms(small.path("median")),
          bytes(small.path("bytes")),
          Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.1f", ratio),
          page.path("ready").asText());
    }
    for (JsonNode page : large.path("pages")) {
      if (page.has("error")) {
        System.out.println("\n- " + page.path("name").asText() + ", large: " + page.path("error").asText());
      }
    }
  }

  private static JsonNode tinyPage(JsonNode tiny, String name) {
    for (JsonNode p : tiny.path("pages")) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    return JSON.createObjectNode();
  }

  private static String ms(JsonNode n) {
    return n.isNumber() ? String.format(Locale.ROOT, "%.0f", n.asDouble()) : "-";
  }

  private static String bytes(JsonNode n) {
    return n.isNumber() ? String.format(Locale.ROOT, "%,d", n.asLong()) : "-";
  }

  private static Optional<String> chromium() {
    return Stream.of(System.getenv("KILN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser")
        .filter(c -> c != null && Files.isExecutable(Path.of(c)))
        .findFirst();
  }

  private static int run(Path in, int seconds, String... command) {
    try {
      Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
      p.getInputStream().transferTo(OutputStream.nullOutputStream());
      return p.waitFor(seconds, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The temporary folder with its node_modules. */
  @Override
  public void close() throws IOException {
    ConsoleBench.delete(client);
  }
}
