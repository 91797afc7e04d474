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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server killed (SIGKILL) while it admits requests against a daily quota. Until 2026-12-07 each server counted in
 * memory and added its counts to the database once a second, so a kill lost what it admitted since its last flush and a
 * restarted server could admit that many more. Now a server leases the quota from the database before it admits ({@code
 * RateLimiter}); a quota of 30 is leased one request at a time (leases are at most 1/32 of the limit), so the database
 * holds every admitted request and the bounds below are met at their exact end.
 */
class RateLimitCrashTest extends ChildServerFixture {
  static final int QUOTA = 30;

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

    int port = startChild(g, data.resolve("child.log"));
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
