package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three replicas in one JVM over one database share a key's rate limit: concurrent requests spread over all three are
 * admitted exactly up to the limit, whatever the lease block (the fixture's replica has the default, the other two the
 * block named), and every other one is a 429 with {@code Retry-After}. {@link GovernanceOnPostgresqlTest} runs it again
 * on PostgreSQL.
 */
class SharedLimitsServerTest extends GovernanceServerFixture {
  static final int LIMIT = 128; // leases of up to 4 (1/32 of it)
  private final List<Kiln> others = new ArrayList<>();

  @AfterEach
  void stopOthers() {
    others.forEach(Kiln::close);
  }

  @Test
  void threeReplicasAdmitExactlyTheLimitWithLeasesOfOne() throws Exception {
    assertThat(admittedOverThreeReplicas(1)).isEqualTo(LIMIT);
  }

  @Test
  void threeReplicasAdmitExactlyTheLimitWithLeasesOfFour() throws Exception {
    assertThat(admittedOverThreeReplicas(4)).isEqualTo(LIMIT); // the first replica's leases are the default, 4 here
  }

  private int admittedOverThreeReplicas(int block) throws Exception {
    clock = new SteppedClock(Instant.parse("2026-12-07T10:00:10Z")); // no minute ends mid-test
    start(true);
    push("add_sub");
    String body = "{\"name\":\"shared\",\"scopes\":[\"invoke:*\"],\"limits\":{\"requests_per_minute\":" + LIMIT + "}}";
    JsonNode key = JSON.readTree(call("POST", "/api/v1/keys", admin, body).body());
    String token = key.get("token").asText();
    List<Integer> ports = new ArrayList<>(List.of(kiln.httpPort()));
    for (int r = 0; r < 2; r++) {
      GovernanceConfig g =
          GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey).withLimitBlock(block);
      Kiln replica = Kiln.start(KilnConfig.defaults(repo, 0, 0).withGovernance(database(g)), clock);
      others.add(replica);
      ports.add(replica.httpPort());
    }
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 9; t++) {
        int port = ports.get(t % 3);
        done.add(
            pool.submit(() -> {
              for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = infer(port, token);
                if (r.statusCode() == 200) {
                  admitted.incrementAndGet();
                } else {
                  assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                  assertThat(r.headers().firstValue("Retry-After")).hasValue("50");
                  refused.incrementAndGet();
                }
              }
              return null;
            }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(
        "shared limit over 3 replicas (%s, block %d): %d admitted, %d refused%n",
        onPostgresql() ? "PostgreSQL" : "SQLite", block, admitted.get(), refused.get());
    assertThat(admitted.get() + refused.get()).isEqualTo(180);
    return admitted.get();
  }

  private HttpResponse<String> infer(int port, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/add_sub/infer"))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(ADD_SUB))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
