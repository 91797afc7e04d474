package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas in one JVM over one database and one data folder (its artifact store): what changes through replica A
 * takes effect on replica B, through the change feed, without a restart. {@link GovernanceOnPostgresqlTest} runs it
 * again on PostgreSQL, where a notification wakes B at once.
 */
class ReplicasConvergeTest extends GovernanceServerFixture {
  private Kiln b;

  @AfterEach
  void stopB() {
    if (b != null) {
      b.close();
    }
  }

  /** Replica A (the fixture's) with auth, then B on the same database and data folder. */
  private void startBoth() throws Exception {
    start(true);
    b =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withGovernance(database(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey))),
            clock);
  }

  private HttpResponse<String> onB(String method, String path, String key, String body) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.httpPort() + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .header("Authorization", "Bearer " + key);
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Milliseconds until {@code onB} answers {@code status}, failing after {@code limitMillis}. */
  private long millisUntil(int status, long limitMillis, Call onB) throws Exception {
    long start = System.nanoTime();
    while (true) {
      HttpResponse<String> r = onB.call();
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      if (r.statusCode() == status) {
        return elapsed;
      }
      assertThat(elapsed).as("B still answers " + r.statusCode() + ": " + r.body()).isLessThan(limitMillis);
      Thread.sleep(10);
    }
  }

  private interface Call {
    HttpResponse<String> call() throws Exception;
  }

  @Test
  void aKeyRevokedThroughAIsRefusedByBWithinOneSecond() throws Exception {
    startBoth();
    HttpResponse<String> created = call("POST", "/api/v1/keys", admin, "{\"name\":\"ops\",\"scopes\":[\"admin\"]}");
    JsonNode key = JSON.readTree(created.body());
    String token = key.get("token").asText();
    assertThat(onB("GET", "/api/v1/models", token, null).statusCode()).isEqualTo(200); // B has it cached now

    assertThat(call("POST", "/api/v1/keys/" + key.get("id").asText() + "/revoke", admin, "").statusCode())
        .isEqualTo(200);
    long millis = millisUntil(401, 1_000, () -> onB("GET", "/api/v1/models", token, null));
    System.out.println("key revoked through A, refused by B after " + millis + " ms");
  }

  @Test
  void anAliasMovedThroughAIsFollowedByB() throws Exception {
    startBoth();
    push("add_sub");
    push("add_sub");
    assertThat(call("PUT", "/api/v1/models/add_sub/aliases/prod", admin, "{\"version\":1}").statusCode())
        .isEqualTo(200);
    millisUntil(200, 2_000, () -> onB("POST", "/v2/models/add_sub@prod/infer", admin, ADD_SUB));
    assertThat(
            JSON.readTree(onB("POST", "/v2/models/add_sub@prod/infer", admin, ADD_SUB).body())
                .get("model_version")
                .asText())
        .isEqualTo("1");

    assertThat(call("PUT", "/api/v1/models/add_sub/aliases/prod", admin, "{\"version\":2}").statusCode())
        .isEqualTo(200);
    long start = System.nanoTime();
    while (!JSON.readTree(onB("POST", "/v2/models/add_sub@prod/infer", admin, ADD_SUB).body())
        .get("model_version")
        .asText()
        .equals("2")) {
      assertThat((System.nanoTime() - start) / 1_000_000).as("B still serves prod as version 1").isLessThan(1_000);
      Thread.sleep(10);
    }
  }

  @Test
  void versionsPushedThroughAAreServedByBWithinTwoSecondsAndDeletedOnesStop() throws Exception {
    startBoth();
    List<Long> millis = new ArrayList<>();
    for (int version = 1; version <= 20; version++) {
      push("add_sub");
      String path = "/v2/models/add_sub/versions/" + version + "/infer";
      millis.add(millisUntil(200, 2_000, () -> onB("POST", path, admin, ADD_SUB)));
    }
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf(
        "push through A -> served by B (%s, 20 pushes): p50 %d ms, p99 %d ms, max %d ms%n",
        onPostgresql() ? "PostgreSQL" : "SQLite", sorted.get(9), sorted.get(19), sorted.get(19));

    assertThat(call("DELETE", "/api/v1/models/add_sub/versions/20", admin, null).statusCode()).isEqualTo(200);
    millisUntil(404, 2_000, () -> onB("POST", "/v2/models/add_sub/versions/20/infer", admin, ADD_SUB));
  }
}
