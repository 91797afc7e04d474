package dev.kiln.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code kiln serve} as a child JVM on free ports, started with this process's class path as a user would start it (the
 * JVM's own heap sizing unless {@code serverOpts} says otherwise); its output goes to {@code log}. Reads what the soak,
 * the storm and the bombs bench watch from outside: resident set, {@code /metrics}, heap after a full GC.
 */
public final class ServerProcess implements AutoCloseable {
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  private final Process process;
  public final int httpPort;
  public final int grpcPort;
  public final String base;

  /** Earlier JVMs of this start that died before they were ready. */
  public final int startRetries;

  private ServerProcess(Process process, int httpPort, int grpcPort, int startRetries) {
    this.startRetries = startRetries;
    this.process = process;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
    this.base = "http://127.0.0.1:" + httpPort;
  }

  /** Serves {@code models} with training off (the soak and the storm need none). */
  static ServerProcess start(Path models, Path data, Path log, String serverOpts) throws Exception {
    return start(models, data, log, serverOpts, List.of("--no-training"));
  }

  /** Serves {@code models} with {@code serveOptions} added to {@code kiln serve}'s command line. */
  public static ServerProcess start(Path models, Path data, Path log, String serverOpts, List<String> serveOptions)
      throws Exception {
    int httpPort = freePort();
    int grpcPort = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
    for (String o : serverOpts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        cmd.add(o);
      }
    }
    cmd.addAll(
        List.of(
            "dev.kiln.cli.Main",
            "serve",
            "--models",
            models.toString(),
            "--data",
            data.toString(),
            "--http-port",
            Integer.toString(httpPort),
            "--grpc-port",
            Integer.toString(grpcPort)));
    cmd.addAll(serveOptions);
    Files.createDirectories(log.getParent());
    for (int attempt = 1; ; attempt++) {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      // The class path goes in $CLASSPATH, not -cp, to keep the command line short. (A long one made kiln serve
      // die with SIGSEGV while starting: ONNX Runtime's environment outgrew the main thread's default stack,
      // which the arguments also use. Kiln.start now starts on a 16 MB-stack thread of its own.)
      pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
      Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      ServerProcess server = new ServerProcess(p, httpPort, grpcPort, attempt - 1);
      if (server.awaitReady(log)) {
        return server;
      }
      // A JVM that dies while starting (before the start-up stack fix, SIGSEGV, exit 139) is retried and counted
      // in the report as a start retry, not hidden.
      System.err.println("server: exited with " + p.exitValue() + " while starting (attempt " + attempt + ")");
      if (attempt == 3) {
        throw new IllegalStateException("the server did not start; see " + log);
      }
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Resident set in MiB, from {@code /proc/<pid>/status}; 0 once the process is gone. */
  public long rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /**
   * Resident set once it stops falling (two samples 500 ms apart within 4 MiB, at most 10 s): after a full GC, G1 hands
   * freed regions back to the OS in the background, so an RSS read at once still counts them.
   */
  long rssSettledMiB() throws InterruptedException {
    long last = rssMiB();
    for (int i = 0; i < 20; i++) {
      Thread.sleep(500);
      long now = rssMiB();
      if (Math.abs(now - last) < 4) {
        return now;
      }
      last = now;
    }
    return last;
  }

  PromText metrics() throws IOException, InterruptedException {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(30)).build();
    return new PromText(http.send(r, HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Heap in use right after a full GC ({@code jcmd GC.run}, then the heap pools on {@code /metrics}), in MiB. */
  long heapAfterGcMiB() throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
      jcmd.destroyForcibly();
    }
    return (long) (metrics().sum("jvm_memory_used_bytes", "area=\"heap\"") / (1 << 20));
  }

  /**
   * Live threads by name with digits taken out ({@code grpc-default-executor-#}), from {@code jcmd Thread.print}: says
   * which pool grew when the count does.
   */
  Map<String, Integer> threadGroups() throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid()),
                "Thread.print")
            .redirectErrorStream(true)
            .start();
    Map<String, Integer> groups = new TreeMap<>();
    try (var lines = jcmd.inputReader().lines()) {
      lines
          .filter(l -> l.startsWith("\""))
          .forEach(l ->
              groups.merge(l.substring(1, Math.max(1, l.indexOf('"', 1))).replaceAll("[0-9]+", "#"), 1, Integer::sum));
    }
    jcmd.waitFor(60, TimeUnit.SECONDS);
    return groups;
  }

  /** {@code inference_count} of a model's version 1 from {@code /v2/models/<name>/stats}: rows it computed. */
  long inferenceCount(String model) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(base + "/v2/models/" + model + "/stats"))
            .timeout(Duration.ofSeconds(30))
            .build();
    String body = http.send(r, HttpResponse.BodyHandlers.ofString()).body();
    return new ObjectMapper().readTree(body).at("/model_stats/0/inference_count").asLong();
  }

  /** Status of a GET, -1 when it failed. */
  public int get(String path) {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build();
      return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** True once ready; false if the process exited first. */
  private boolean awaitReady(Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      if (get("/v2/health/ready") == 200) {
        return true;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the server was not ready within 180 s; see " + log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
