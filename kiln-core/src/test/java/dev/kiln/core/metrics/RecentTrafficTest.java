package dev.kiln.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.LlmMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The server's registry (Prometheus, cumulative histograms), the core's own meters, samples taken by hand. */
class RecentTrafficTest {
  private static final long MS = 1_000_000;

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> served = ConcurrentHashMap.newKeySet();
  private final RecentTraffic traffic = new RecentTraffic(registry, () -> Set.copyOf(served));
  private final Instant t0 = Instant.parse("2026-12-07T06:00:00Z");

  private static void calls(InferenceMetrics.Binding a, int n, long queueNanos, long computeNanos) {
    for (int i = 0; i < n; i++) {
      a.onRequest(queueNanos, computeNanos, true);
    }
  }

  @Test
  void eachPointIsTheIntervalsRequestsErrorsAndLatencyPercentilesFromTheHistogram() {
    InferenceMetrics.Binding a = new InferenceMetrics(registry).bind("a", 1, () -> 0);
    served.add("a");
    calls(a, 7, MS, MS); // before the first sample: the baseline, in no point
    traffic.sample(t0);
    // 50 requests at 0.8 ms (bucket 0.5..1 ms), 50 at 20 ms (bucket 10..25 ms), 10 refused before the queue.
    calls(a, 50, 300_000, 500_000);
    calls(a, 50, 5 * MS, 15 * MS);
    for (int i = 0; i < 10; i++) {
      a.onRejected();
    }
    traffic.sample(t0.plusSeconds(10));

    TrafficWindow w = traffic.window(m -> true);
    assertThat(w.models()).containsOnlyKeys("a");
    TrafficPoint p = w.models().get("a").getFirst();
    assertThat(p.end()).isEqualTo(t0.plusSeconds(10));
    assertThat(p.requests()).isEqualTo(110);
    assertThat(p.requestsPerSecond()).isCloseTo(11, within(1e-9));
    assertThat(p.errorRate()).isCloseTo(10.0 / 110, within(1e-9));
    // Rank 50 of 100 timed ends the first bucket: its upper bound; rank 95 is 45/50 into 10..25 ms.
    assertThat(p.p50Ms()).isCloseTo(1.0, within(1e-9));
    assertThat(p.p95Ms()).isCloseTo(10 + 15 * 45.0 / 50, within(1e-9));
    assertThat(w.total()).containsExactly(p);
    assertThat(w.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(w.span()).isEqualTo(Duration.ofMinutes(15));

    traffic.sample(t0.plusSeconds(20)); // a quiet interval
    TrafficPoint quiet = traffic.window(m -> true).models().get("a").getLast();
    assertThat(List.of(quiet.requests(), quiet.requestsPerSecond(), quiet.errorRate())).containsExactly(0L, 0.0, 0.0);
    assertThat(quiet.p50Ms()).isNull();
  }

  @Test
  void languageModelsCountTooAndTheTotalHoldsOnlyTheModelsShown() {
    InferenceMetrics.Binding a = new InferenceMetrics(registry).bind("a", 1, () -> 0);
    LlmMetrics chat = new LlmMetrics(registry, "chat");
    served.addAll(Set.of("a", "chat"));
    traffic.sample(t0);
    calls(a, 20, 0, 2 * MS);
    for (int i = 0; i < 4; i++) {
      chat.finished(FinishReason.STOP, 300 * MS, 10, 20);
    }
    chat.failed();
    traffic.sample(t0.plusSeconds(10));

    TrafficWindow all = traffic.window(m -> true);
    TrafficPoint c = all.models().get("chat").getFirst();
    assertThat(c.requests()).isEqualTo(5);
    assertThat(c.errorRate()).isCloseTo(0.2, within(1e-9));
    assertThat(c.p50Ms()).isBetween(200.0, 400.0);
    assertThat(all.total().getFirst().requests()).isEqualTo(25);
    assertThat(all.total().getFirst().p95Ms()).isBetween(200.0, 400.0);

    TrafficWindow onlyA = traffic.window("a"::equals);
    assertThat(onlyA.models()).containsOnlyKeys("a");
    assertThat(onlyA.total().getFirst().requests()).isEqualTo(20);
    assertThat(onlyA.total().getFirst().p95Ms()).isLessThanOrEqualTo(2.0);
    assertThat(traffic.window(m -> false).total()).extracting(TrafficPoint::requests).containsExactly(0L);
  }

  @Test
  void memoryIsBoundedAndModelsNoLongerServedAreForgotten() {
    InferenceMetrics.Binding a = new InferenceMetrics(registry).bind("a", 1, () -> 0);
    LlmMetrics chat = new LlmMetrics(registry, "chat");
    served.addAll(Set.of("a", "chat"));
    for (int i = 0; i < 200; i++) {
      calls(a, 1, 0, MS);
      traffic.sample(t0.plusSeconds(10L * i));
    }
    TrafficWindow w = traffic.window(m -> true);
    assertThat(w.models().get("a")).hasSize(RecentTraffic.POINTS);
    assertThat(w.total()).hasSize(RecentTraffic.POINTS - 1);
    assertThat(w.models().get("a").getLast().end()).isEqualTo(t0.plusSeconds(1990));

    a.close(); // the last version unloaded: its meters go
    served.remove("chat"); // no longer served, though a language model's meters stay
    traffic.sample(t0.plusSeconds(2000));
    assertThat(traffic.window(m -> true).models()).isEmpty();

    // Served again: its first sample is a baseline, not everything since its first load in one point.
    for (int i = 0; i < 50; i++) {
      chat.finished(FinishReason.STOP, 10 * MS, 1, 1);
    }
    served.add("chat");
    traffic.sample(t0.plusSeconds(2010));
    chat.finished(FinishReason.STOP, 10 * MS, 1, 1);
    traffic.sample(t0.plusSeconds(2020));
    assertThat(traffic.window(m -> true).models().get("chat")).extracting(TrafficPoint::requests).containsExactly(1L);
  }
}
