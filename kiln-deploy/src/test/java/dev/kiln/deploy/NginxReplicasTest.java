package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cli.Main;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.GovernanceStores;
import dev.kiln.govern.store.TestDatabase;
import dev.kiln.govern.testing.S3Server;
import dev.kiln.onnx.ExampleModels;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's load-balancer proof: Debian's nginx with deploy/nginx/kiln.conf in front of three {@code kiln serve}
 * processes that share one database and one S3 bucket (s3proxy) and nothing else: each has its own, empty, models and
 * data folders, and serves the model pushed through the first. 16 clients infer through nginx while every replica in
 * turn is stopped with SIGTERM (it drains), waited for and started again; then one is killed with SIGKILL mid-load. Not
 * one request may fail. The load lasts {@code -Dkiln.nginx.seconds} (20 s by default, for CI; BENCHMARKS.md records a
 * 60 s run) or until the restarts are done, whichever is longer.
 *
 * <p>The database is a fresh schema of the PostgreSQL at {@code KILN_TEST_POSTGRES_URL}, as replicas are meant to run;
 * under CI ({@code CI=true}, where {@code .ci/run} starts one) it must be. Without the variable on a developer's
 * machine the replicas share one SQLite file outside their data folders instead.
 */
class NginxReplicasTest {
  static final Path NGINX = Path.of("/usr/sbin/nginx");
  static final Pattern READY = Pattern.compile("on [^ ]+:(\\d+), gRPC on");
  static final int IN = 16;
  static final ExampleModels.Mlp MLP = ExampleModels.Mlp.random(IN, 32, 4, 7);
  static final int CLIENTS = 16;
  static final int GRPC_CLIENTS = 4;
  static final String SHARED_SQLITE = "shared-governance.db";
  @TempDir Path dir;
  final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  final Process[] replicas = new Process[3];
  final int[] ports = new int[3];
  final int[] grpcPorts = new int[3];
  Process nginx;
  Optional<TestDatabase> database = Optional.empty();
  S3Server s3;
  int front;
  int frontGrpc;

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : replicas) {
      if (p != null) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (nginx != null) {
      // SIGTERM: nginx's master stops its workers. A SIGKILL left them orphaned and still listening after the test.
      List<ProcessHandle> workers = nginx.descendants().toList();
      nginx.destroy();
      if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
        nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      workers.forEach(ProcessHandle::destroyForcibly);
    }
    database.ifPresent(TestDatabase::close); // after the replicas: they hold connections to the schema
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void sixteenClientsThroughNginxSeeNoFailureWhileReplicasRestartAndOneIsKilled() throws Exception {
    if (!Files.isExecutable(NGINX)) {
      assertThat(System.getenv("CI")).as("nginx (Debian's package) is required under CI").isNotEqualTo("true");
      Assumptions.abort("nginx not found at " + NGINX);
    }
    long seconds = Long.getLong("kiln.nginx.seconds", 20);
    if (System.getenv("KILN_TEST_POSTGRES_URL") != null || "true".equals(System.getenv("CI"))) {
      database = Optional.of(TestDatabase.create(Backend.POSTGRESQL, dir)); // fails under CI without PostgreSQL
    }
    s3 = S3Server.start(dir.resolve("s3"));
    s3.createBucket("kiln-nginx");
    MasterKeys.generate(dir.resolve("master.key"));
    for (int i = 0; i < 3; i++) {
      ports[i] = freePort();
      grpcPorts[i] = freePort();
    }
    // The first start creates the schema; the others start on it.
    replicas[0] = start(0);
    awaitReady(0);
    replicas[1] = start(1);
    replicas[2] = start(2);
    awaitReady(1);
    awaitReady(2);
    // Pushed through the first replica, served by each: from the database and the bucket, no folder in common.
    assertThat(push(ports[0]).statusCode()).isEqualTo(201);
    String body = inferBody();
    for (int i = 0; i < 3; i++) {
      awaitServing(i, body);
    }
    startNginx();
    assertThat(infer(body).statusCode()).isEqualTo(200);

    ManagedChannel channel = GrpcClients.channel(frontGrpc);
    assertThat(GrpcClients.infer(channel, IN)).as("gRPC through nginx").isEmpty();

    Load load = new Load();
    Load grpc = new Load();
    load.start(CLIENTS, "rest-", () -> restCall(body));
    grpc.start(GRPC_CLIENTS, "grpc-", () -> GrpcClients.infer(channel, IN));
    long begin = System.nanoTime();
    Thread.sleep(2_000);
    for (int i = 0; i < 3; i++) {
      replicas[i].destroy(); // SIGTERM: the replica drains and exits 0
      assertThat(replicas[i].waitFor(60, TimeUnit.SECONDS)).as("replica %d exits after draining", i).isTrue();
      assertThat(replicas[i].exitValue()).as("replica %d exit status", i).isZero();
      replicas[i] = start(i);
      awaitReady(i);
      Thread.sleep(1_000);
    }
    int afterRestarts = load.ok.get();
    int grpcAfterRestarts = grpc.ok.get();
    replicas[1].destroyForcibly(); // SIGKILL mid-load: its requests in flight are cut
    replicas[1].waitFor(10, TimeUnit.SECONDS);
    Thread.sleep(Math.max(3_000, TimeUnit.SECONDS.toMillis(seconds) - millisSince(begin)));
    load.stop();
    grpc.stop();
    channel.shutdownNow();
    long millis = millisSince(begin);

    List<Long> latencies = new ArrayList<>(load.latencies);
    Collections.sort(latencies);
    System.out.printf(
        "nginx + 3 replicas on %s, %d HTTP clients, %.1f s: %d requests (%d during the restarts, %d after the SIGKILL), "
            + "%d failed, p50 %.1f ms, p99 %.1f ms%n",
        database.isPresent() ? "PostgreSQL" : "SQLite",
        CLIENTS,
        millis / 1000.0,
        load.ok.get() + load.failed.size(),
        afterRestarts,
        load.ok.get() - afterRestarts,
        load.failed.size(),
        percentile(latencies, 0.50) / 1e6,
        percentile(latencies, 0.99) / 1e6);
    System.out.printf(
        "and %d gRPC clients: %d requests (%d during the restarts), %d failed%n",
        GRPC_CLIENTS, grpc.ok.get() + grpc.failed.size(), grpcAfterRestarts, grpc.failed.size());
    System.out.println("failures by kind: " + byKind(load.failed.stream()) + ", " + byKind(grpc.failed.stream()));
    System.out.println("upstream errors nginx logged: " + nginxUpstreamErrors());
    assertThat(Files.exists(dir.resolve(SHARED_SQLITE)))
        .as("the replicas kept their metadata in %s", database.isPresent() ? "PostgreSQL, not SQLite" : "SQLite")
        .isEqualTo(database.isEmpty());
    for (int i = 0; i < 3; i++) {
      assertThat(dir.resolve("data-" + i).resolve(GovernanceStores.SQLITE_FILE)).doesNotExist();
      assertThat(dir.resolve("data-" + i).resolve("artifacts/objects")).doesNotExist();
    }
    assertThat(load.failed).as("failed HTTP requests").isEmpty();
    assertThat(grpc.failed).as("failed gRPC requests").isEmpty();
    assertThat(load.ok.get() - afterRestarts).as("requests answered after the SIGKILL").isPositive();
    assertThat(grpc.ok.get() - grpcAfterRestarts).as("RPCs answered after the SIGKILL").isPositive();
  }

  /** What one client sends: returns the failure, or empty for a correct answer. */
  interface Call {
    Optional<String> call() throws InterruptedException;
  }

  /** Client threads sending requests to nginx back to back; records latencies and every failure. */
  static final class Load {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    void start(int clients, String name, Call call) {
      for (int t = 0; t < clients; t++) {
        threads.add(Thread.ofPlatform().name(name + t).start(() -> run(call)));
      }
    }

    void run(Call call) {
      while (running.get()) {
        long t0 = System.nanoTime();
        try {
          Optional<String> failure = call.call();
          if (failure.isEmpty()) {
            ok.incrementAndGet();
            latencies.add(System.nanoTime() - t0);
          } else {
            failed.add(failure.get());
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }
  }

  Optional<String> restCall(String body) {
    try {
      HttpResponse<String> r = infer(body);
      return r.statusCode() == 200 && r.body().contains("\"outputs\"")
          ? Optional.empty()
          : Optional.of("HTTP " + r.statusCode() + " " + r.body());
    } catch (IOException | InterruptedException e) {
      return Optional.of("HTTP " + e);
    }
  }

  HttpResponse<String> infer(String body) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front + "/v2/models/mlp/infer"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** deploy/nginx/kiln.conf with this test's ports, in a main config whose pid, logs and temp files stay in dir. */
  private void startNginx() throws Exception {
    front = freePort();
    frontGrpc = freePort();
    String shipped = Files.readString(repositoryRoot().resolve("deploy/nginx/kiln.conf"));
    Map<String, String> ports = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      ports.put("127.0.0.1:800" + (i + 1), "127.0.0.1:" + this.ports[i]);
      ports.put("127.0.0.1:900" + (i + 1), "127.0.0.1:" + grpcPorts[i]);
    }
    ports.put("listen 8080;", "listen 127.0.0.1:" + front + ";");
    ports.put("listen 8081 http2;", "listen 127.0.0.1:" + frontGrpc + " http2;");
    String rendered = shipped;
    for (Map.Entry<String, String> e : ports.entrySet()) {
      assertThat(rendered).as("the shipped config has %s", e.getKey()).contains(e.getKey());
      rendered = rendered.replace(e.getKey(), e.getValue());
    }
    Path conf = dir.resolve("nginx");
    Files.createDirectories(conf.resolve("logs"));
    Files.writeString(conf.resolve("kiln.conf"), rendered);
    String main =
        """
        daemon off;
        worker_processes 2;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 1024; }
        http {
          access_log %1$s/logs/access.log;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          include %1$s/kiln.conf;
        }
        """
            .formatted(conf);
    Files.writeString(conf.resolve("nginx.conf"), main);
    nginx =
        new ProcessBuilder(
                NGINX.toString(),
                "-p",
                conf.toString(),
                "-e",
                conf.resolve("logs/error.log").toString(),
                "-c",
                conf.resolve("nginx.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(conf.resolve("logs/stdout.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && nginx.isAlive()) {
      try (Socket s = new Socket("127.0.0.1", front)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("nginx did not start:\n" + Files.readString(conf.resolve("logs/error.log")));
  }

  private Process start(int i) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("replica-" + i + ".log");
    Files.deleteIfExists(log);
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xss8m",
                "-Xmx512m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve",
                "--models",
                Files.createDirectories(dir.resolve("models-" + i)).toString(),
                "--data",
                dir.resolve("data-" + i).toString(),
                "--master-key",
                dir.resolve("master.key").toString(),
                "--store",
                "s3://kiln-nginx/replicas",
                "--store-endpoint",
                s3.endpoint().toString(),
                "--http-port",
                String.valueOf(ports[i]),
                "--grpc-port",
                String.valueOf(grpcPorts[i]),
                "--no-training",
                "--drain-timeout",
                "10s"));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(s3.environment());
    database.ifPresentOrElse(
        db -> {
          command.addAll(List.of("--database", db.url()));
          Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_USER"))
              .ifPresent(u -> command.addAll(List.of("--database-user", u)));
          Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_PASSWORD"))
              .ifPresent(p -> pb.environment().put("KILN_DATABASE_PASSWORD", p));
        },
        () -> command.addAll(List.of("--database", "jdbc:sqlite:" + dir.resolve(SHARED_SQLITE))));
    return pb.directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private HttpResponse<String> push(int port) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/models/mlp/versions"))
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(MLP.onnx()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until replica {@code i} itself (not through nginx) answers an inference. */
  private void awaitServing(int i, String body) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i] + "/v2/models/mlp/infer"))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return;
      }
      assertThat(System.nanoTime()).as("replica %d serves the pushed model: %s", i, r.body()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private void awaitReady(int i) throws Exception {
    Path log = dir.resolve("replica-" + i + ".log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && replicas[i].isAlive()) {
      Matcher m = READY.matcher(Files.exists(log) ? Files.readString(log) : "");
      if (m.find()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("replica " + i + " did not start:\n" + Files.readString(log));
  }

  static Map<String, Long> byKind(Stream<String> failures) {
    return failures.collect(Collectors.groupingBy(f -> f.replaceAll("\\d+", "N"), TreeMap::new, Collectors.counting()));
  }

  /** What nginx said about the replicas (refused, reset, GOAWAY, RST_STREAM), counted by message. */
  private Map<String, Long> nginxUpstreamErrors() throws IOException {
    Pattern upstream = Pattern.compile("\\[error\\] [^:]*: \\*\\d+ ([^,]*?)(?: while [^,]*)?,");
    return byKind(
        Files.readAllLines(dir.resolve("nginx/logs/error.log")).stream()
            .map(upstream::matcher)
            .filter(Matcher::find)
            .map(m -> m.group(1)));
  }

  static String inferBody() {
    StringBuilder sb =
        new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + IN + "],\"data\":[");
    float[] x = ExampleModels.Mlp.randomRow(IN, 1);
    for (int i = 0; i < x.length; i++) {
      sb.append(i == 0 ? "" : ",").append(x[i]);
    }
    return sb.append("]}]}").toString();
  }

  static Path repositoryRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.exists(p.resolve("deploy/nginx/kiln.conf"))) {
      p = p.getParent();
    }
    return p;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  static long percentile(List<Long> sorted, double q) {
    return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
  }
}
