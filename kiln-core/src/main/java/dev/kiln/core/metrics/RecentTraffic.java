package dev.kiln.core.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last 15 minutes of traffic per model, in 10-second points, for a console's overview: read from the server's own
 * meters ({@link InferenceMetrics} for tensor models, {@code LlmMetrics} for language models) every {@link #INTERVAL},
 * each point the difference from the reading before. One replica's traffic: every replica keeps its own (the meters are
 * per process, as {@code /metrics} is), and nothing is stored.
 *
 * <p>Memory is bounded: at most {@link #POINTS} points per model served now; a model that is no longer served (or whose
 * meters went, when its last version unloaded) is forgotten at the next sample. A point is three numbers and the
 * latency buckets that had requests (at most 17 for a tensor model, about 70 for a language model).
 */
public final class RecentTraffic implements AutoCloseable {
  /** Tensor models' requests ({@link InferenceMetrics}), tagged {@code model}, {@code version}, {@code outcome}. */
  static final String TENSOR_REQUESTS = "kiln.inference.requests";

  /** Tensor models' latency, queue plus compute ({@link InferenceMetrics}). */
  static final String TENSOR_LATENCY = "kiln.inference.request.duration";

  /** Language models' finished requests, tagged {@code model} and {@code finished_reason} ({@code error} failed). */
  public static final String LLM_REQUESTS = "kiln_llm_requests_finished_total";

  /** Language models' latency, arrival to last token. */
  public static final String LLM_LATENCY = "kiln_llm_e2e_request_latency_seconds";

  public static final Duration INTERVAL = Duration.ofSeconds(10);
  public static final int POINTS = 90;

  private static final Logger LOG = Logger.getLogger(RecentTraffic.class.getName());

  private final MeterRegistry registry;
  private final Supplier<Set<String>> served;
  private final Map<String, Series> series = new HashMap<>(); // guarded by this
  private final ArrayDeque<Instant> times = new ArrayDeque<>(); // when samples were taken, guarded by this
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kiln-traffic").daemon().factory());

  /** One model's last reading and its points. */
  private static final class Series {
    TrafficReading last;
    Instant lastAt;
    final ArrayDeque<Map.Entry<Instant, TrafficSample>> points = new ArrayDeque<>();
  }

  /**
   * @param registry the server's meters
   * @param served the names of the models served now (ready); others are forgotten
   */
  public RecentTraffic(MeterRegistry registry, Supplier<Set<String>> served) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.served = Objects.requireNonNull(served, "served");
  }

  /** Samples every {@link #INTERVAL} from now until {@link #close}. */
  public RecentTraffic start() {
    long every = INTERVAL.toMillis();
    sampler.scheduleAtFixedRate(
        () -> {
          try {
            sample(Instant.now());
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sampling recent traffic failed; trying again at the next interval", e);
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Takes one point per served model, ending at {@code now}; the scheduled sampler calls it, and tests. */
  public synchronized void sample(Instant now) {
    Map<String, TrafficReading> readings = TrafficReading.of(registry);
    times.addLast(now);
    while (times.size() > POINTS) {
      times.removeFirst();
    }
    Set<String> live = served.get();
    series.keySet().removeIf(m -> !live.contains(m) || !readings.containsKey(m));
    readings.forEach((model, reading) -> {
      if (!live.contains(model)) {
        return;
      }
      Series s = series.get(model);
      if (s == null) {
        // The first reading is the baseline: a language model's meters outlive an unload, so counting from zero
        // would show everything since its first load as one interval's traffic.
        series.put(model, s = new Series());
      } else {
        double seconds = Duration.between(s.lastAt, now).toMillis() / 1000.0;
        s.points.addLast(Map.entry(now, reading.since(s.last, seconds)));
        while (s.points.size() > POINTS) {
          s.points.removeFirst();
        }
      }
      s.last = reading;
      s.lastAt = now;
    });
  }

  /** The points of the models {@code shown} lets through, and their total; other models count nowhere. */
  public synchronized TrafficWindow window(Predicate<String> shown) {
    Map<String, List<TrafficPoint>> models = new HashMap<>();
    Map<Instant, List<TrafficSample>> byTime = new HashMap<>();
    series.forEach((model, s) -> {
      if (!shown.test(model)) {
        return;
      }
      List<TrafficPoint> points = new ArrayList<>(s.points.size());
      for (Map.Entry<Instant, TrafficSample> p : s.points) {
        points.add(TrafficPoint.of(p.getKey(), List.of(p.getValue())));
        byTime.computeIfAbsent(p.getKey(), t -> new ArrayList<>()).add(p.getValue());
      }
      models.put(model, points);
    });
    // Every sample time, so the total has its timeline even when no model shown had traffic (or none is served).
    List<TrafficPoint> total = new ArrayList<>(times.size());
    times.stream().skip(1).forEach(t -> total.add(TrafficPoint.of(t, byTime.getOrDefault(t, List.of()))));
    return new TrafficWindow(INTERVAL, INTERVAL.multipliedBy(POINTS), total, models);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
