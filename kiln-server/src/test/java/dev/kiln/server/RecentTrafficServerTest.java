package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/metrics/recent} on a real server: its sampler's own 10-second ticks, real inference calls, and
 * keys that see only what they may call.
 */
class RecentTrafficServerTest extends GovernanceServerFixture {
  private static final String PATH = "/api/v1/metrics/recent";

  /** Refused by the model's own input check: a failed request of that model. */
  private static final String WRONG_SHAPE =
      ADD_SUB.replace("\"shape\":[1,4],\"data\":[1,2,3,4]", "\"shape\":[1,3],\"data\":[1,2,3]");

  @Test
  void recentTrafficShowsEachKeyItsOwnModelsAndTheReplicaThatAnswered() throws Exception {
    start(true);
    push("add_sub");
    push("other");
    String onlyAddSub = key("client", "invoke:add_*");
    assertThat(call("GET", PATH, null, null).statusCode()).isEqualTo(401);

    // Calls until a point shows them: the sampler's first tick is each model's baseline, its next one the first point.
    JsonNode recent = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
    int calls = 0;
    while (System.nanoTime() < deadline) {
      assertThat(call("POST", "/v2/models/add_sub/infer", onlyAddSub, ADD_SUB).statusCode()).isEqualTo(200);
      assertThat(call("POST", "/v2/models/other/infer", admin, WRONG_SHAPE).statusCode()).isEqualTo(400);
      calls++;
      recent = JSON.readTree(call("GET", PATH, admin, null).body());
      if (recent.at("/models/add_sub").size() > 0 && recent.at("/models/add_sub/0/requests").asLong() > 0) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(calls).isGreaterThan(1);
    JsonNode point = recent.at("/models/add_sub/0");
    assertThat(point.get("requests").asLong()).isPositive().isLessThanOrEqualTo(calls);
    assertThat(point.get("requests_per_second").asDouble())
        .isCloseTo(point.get("requests").asLong() / 10.0, withinPercentage(2)); // over the real interval
    assertThat(point.get("error_rate").asDouble()).isZero();
    assertThat(point.get("p50_ms").asDouble()).isPositive().isLessThanOrEqualTo(point.get("p95_ms").asDouble());
    assertThat(point.get("end").asText()).endsWith("Z");
    JsonNode other = recent.at("/models/other/0");
    assertThat(other.get("error_rate").asDouble()).isEqualTo(1.0); // every call to it was refused by the model
    assertThat(recent.at("/total/0/requests").asLong())
        .isEqualTo(point.get("requests").asLong() + other.get("requests").asLong());
    assertThat(recent.get("interval_seconds").asInt()).isEqualTo(10);
    assertThat(recent.get("span_seconds").asInt()).isEqualTo(900);
    assertThat(recent.at("/health/live").asBoolean()).isTrue();
    assertThat(recent.at("/health/ready").asBoolean()).isTrue();
    assertThat(recent.at("/health/models/ready").asInt()).isEqualTo(2);
    assertThat(recent.at("/replica/hostname").asText()).isNotEmpty();
    assertThat(recent.at("/replica/id").asText())
        .isEqualTo(recent.at("/replica/hostname").asText() + "/" + ProcessHandle.current().pid());

    // A key scoped to add_sub: that model, its total, its count; nothing of "other".
    JsonNode scoped = JSON.readTree(call("GET", PATH, onlyAddSub, null).body());
    assertThat(scoped.get("models").properties()).extracting(e -> e.getKey()).containsExactly("add_sub");
    assertThat(scoped.toString()).doesNotContain("other");
    assertThat(scoped.at("/health/models/ready").asInt()).isEqualTo(1);
    JsonNode firstWithTraffic = scoped.at("/models/add_sub/0");
    for (JsonNode t : scoped.get("total")) {
      if (t.get("end").equals(firstWithTraffic.get("end"))) {
        assertThat(t.get("requests").asLong()).isEqualTo(firstWithTraffic.get("requests").asLong());
        assertThat(t.get("error_rate").asDouble()).isZero();
      }
    }
  }
}
