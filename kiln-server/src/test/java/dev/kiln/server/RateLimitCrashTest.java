package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.CounterStore;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.Scope;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.store.GovernanceStores;
import dev.kiln.onnx.ExampleModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server killed (SIGKILL) while it admits requests against a daily quota. Until 2026-12-07 each server counted in
 * memory and added its counts to the database once a second, so a kill lost what it admitted since its last flush and a
 * restarted server could admit that many more. Now a server leases the quota from the database before it admits ({@code
 * RateLimiter}); a quota of 30 is leased one request at a time (leases are at most 1/32 of the limit), so the database
 * holds every admitted request and the bounds below are met at their exact end.
 */
class RateLimitCrashTest {
  static final int QUOTA = 30;
  static final String ADD_SUB = GovernanceServerTest.ADD_SUB;

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;
  Path masterKey;
  Process child;
  Kiln kiln;

  /** The child: a server on this test's data that prints its HTTP port and runs until it is killed. */
  public static void main(String[] args) throws Exception {
    GovernanceConfig g = GovernanceConfig.defaults(Path.of(args[1])).withAuth(true).withMasterKey(Path.of(args[2]));
    if (args.length > 3) {
      g =
          g.withDatabase(
              new GovernanceConfig.Database(
                  args[3],
                  Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_USER")),
                  Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_PASSWORD"))));
    }
    Kiln k = Kiln.start(KilnConfig.defaults(Path.of(args[0]), 0, 0).withGovernance(g));
    System.out.println("port " + k.httpPort());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  /** The governance database: SQLite in {@code data} here; {@link GovernanceOnPostgresqlTest} swaps in PostgreSQL. */
  GovernanceConfig database(GovernanceConfig g) {
    return g;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
    if (kiln != null) {
      kiln.close();
    }
  }

  @Test
  void aKilledServerLosesAtMostTheRequestsSinceItsLastFlushAndTheQuotaHoldsOtherwise() throws Exception {
    masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    GovernanceConfig g = database(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey));
    kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withGovernance(g));
    HttpResponse<String> pushed =
        send(
            kiln.httpPort(),
            "/api/v1/models/add_sub/versions",
            kiln.bootstrapToken().orElseThrow(),
            HttpRequest.BodyPublishers.ofByteArray(ExampleModels.addSub()));
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    ApiKeys.Created key =
        kiln.apiKeys()
            .orElseThrow()
            .create(
                "daily",
                List.of(Scope.parse("invoke:*")),
                new Limits(null, (long) QUOTA, null),
                Map.of(),
                null,
                "test");
    kiln.close();
    kiln = null;

    int port = startChild(g);
    CounterStore.Counter daily =
        new CounterStore.Counter("rpd|" + key.key().id() + "|*", Instant.now().truncatedTo(ChronoUnit.DAYS));
    long flushed;
    int unflushed = 5;
    try (GovernanceStores db =
        g.database().isEmpty()
            ? GovernanceStores.sqlite(data)
            : GovernanceStores.open(
                g.database().get().url(),
                g.database().get().user().orElse(null),
                g.database().get().password().orElse(null))) {
      for (int i = 0; i < 10; i++) {
        assertThat(infer(port, key.token()).statusCode()).isEqualTo(200);
      }
      // The child's periodic flush brings the database to 10; from then on it holds what the child admits in memory.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (total(db, daily) < 10) {
        assertThat(System.nanoTime()).as("the child flushed within 30 s").isLessThan(until);
        Thread.sleep(20);
      }
      for (int i = 0; i < unflushed; i++) {
        assertThat(infer(port, key.token()).statusCode()).isEqualTo(200);
      }
      child.destroyForcibly(); // SIGKILL: no final flush; some of the last 5 may have been flushed, or none
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      child = null;
      flushed = total(db, daily);
    }
    assertThat(flushed).as("counted in the database").isBetween(10L, 10L + unflushed);

    kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withGovernance(g));
    int admittedAfterRestart = 0;
    HttpResponse<String> last;
    while ((last = infer(kiln.httpPort(), key.token())).statusCode() == 200) {
      admittedAfterRestart++;
      assertThat(admittedAfterRestart).as("admitted after the restart").isLessThanOrEqualTo(QUOTA);
    }
    assertThat(last.statusCode()).as(last.body()).isEqualTo(429);
    assertThat(last.body()).contains("daily quota of " + QUOTA + " requests");
    assertThat(admittedAfterRestart)
        .as("the restarted server counts on from what was flushed")
        .isEqualTo(QUOTA - (int) flushed);
    int admitted = 10 + unflushed + admittedAfterRestart;
    assertThat(admitted)
        .as("admitted in all: the quota, plus at most the requests since the last flush")
        .isBetween(QUOTA, QUOTA + unflushed);
  }

  private int startChild(GovernanceConfig g) throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // No -Xss: the child starts Kiln from its main thread with the default 1 MB stack, which killed it with SIGSEGV
    // before Kiln.start ran start-up on a thread of its own (this test is the regression test for that).
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                RateLimitCrashTest.class.getName(),
                repo.toString(),
                data.toString(),
                masterKey.toString()));
    g.database().ifPresent(d -> command.add(d.url()));
    Path log = data.resolve("child.log");
    child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String out = Files.readString(log);
      for (String line : out.lines().toList()) {
        if (line.startsWith("port ")) {
          return Integer.parseInt(line.substring(5).trim());
        }
      }
      if (!child.isAlive()) {
        throw new AssertionError("child exited with " + child.exitValue() + "; its log:\n" + Files.readString(log));
      }
      assertThat(System.nanoTime()).as("child started within 60 s; its log:\n%s", out).isLessThan(until);
      Thread.sleep(50);
    }
  }

  private static long total(GovernanceStores db, CounterStore.Counter c) {
    return db.counters().addAndGet(Map.of(c, 0L), null).getOrDefault(c, 0L);
  }

  private HttpResponse<String> infer(int port, String key) throws IOException, InterruptedException {
    return send(port, "/v2/models/add_sub/infer", key, HttpRequest.BodyPublishers.ofString(ADD_SUB));
  }

  private HttpResponse<String> send(int port, String path, String key, HttpRequest.BodyPublisher body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + key)
            .POST(body)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
