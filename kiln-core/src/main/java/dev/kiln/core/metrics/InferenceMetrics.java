package dev.kiln.core.metrics;

import dev.kiln.core.scheduling.ExecutionObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Meters for inference, tagged by model and version. Queue time and compute time are separate histograms (as Triton
 * splits them) because a slow model and a saturated queue call for different fixes.
 *
 * <p>Exported names (Prometheus): {@code kiln_inference_requests_total{outcome}}, {@code
 * kiln_inference_queue_duration_seconds}, {@code kiln_inference_compute_duration_seconds}, {@code
 * kiln_inference_request_duration_seconds} (the two together, per request: what a caller waits, and what {@link
 * RecentTraffic} takes percentiles of), {@code kiln_inference_batch_size_rows}, {@code
 * kiln_inference_pending_requests}.
 */
public final class InferenceMetrics {
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
    Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5)
  };
  private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private final MeterRegistry registry;
  private final Map<Tags, VersionMeters> bound = new HashMap<>();

  public InferenceMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Meters of one model version; call {@link Binding#close()} when the version is unloaded. A reload loads the same
   * version again before the old copy is closed, so bindings are counted and both copies share one set of meters,
   * removed when the last copy closes.
   */
  public synchronized Binding bind(String model, long version, IntSupplier pending) {
    Tags tags = Tags.of("model", model, "version", Long.toString(version));
    VersionMeters m = bound.computeIfAbsent(tags, t -> new VersionMeters(registry, t));
    m.pendingSources.add(pending);
    return new Binding(m, pending);
  }

  private synchronized void release(VersionMeters m, IntSupplier pending) {
    m.pendingSources.remove(pending);
    if (m.pendingSources.isEmpty()) {
      bound.remove(m.tags);
      m.meters.forEach(registry::remove);
    }
  }

  /** One loaded copy's hold on its version's meters; the observer that feeds them. */
  public final class Binding implements ExecutionObserver, AutoCloseable {
    private final VersionMeters meters;
    private final IntSupplier pending;
    private boolean closed;

    private Binding(VersionMeters meters, IntSupplier pending) {
      this.meters = meters;
      this.pending = pending;
    }

    @Override
    public void onExecution(int requests, long rows, long computeNanos, boolean ok) {
      meters.batch.record(rows);
    }

    @Override
    public void onRequest(long queueNanos, long computeNanos, boolean ok) {
      meters.onRequest(queueNanos, computeNanos, ok);
    }

    /** A request refused before it reached the queue. */
    @Override
    public void onRejected() {
      meters.failure.increment();
    }

    @Override
    public void close() {
      synchronized (InferenceMetrics.this) {
        if (!closed) {
          closed = true;
          release(meters, pending);
        }
      }
    }
  }

  /** The meters of one version, shared by every loaded copy of it. */
  private static final class VersionMeters {
    private final Tags tags;
    private final List<IntSupplier> pendingSources = new CopyOnWriteArrayList<>();
    private final Counter success;
    private final Counter failure;
    private final Timer queue;
    private final Timer compute;
    private final Timer total;
    private final DistributionSummary batch;
    private final List<Meter> meters = new ArrayList<>();

    VersionMeters(MeterRegistry registry, Tags tags) {
      this.tags = tags;
      success =
          keep(
              Counter.builder(RecentTraffic.TENSOR_REQUESTS)
                  .description("Inference requests finished")
                  .tags(tags)
                  .tag("outcome", "success")
                  .register(registry));
      failure =
          keep(
              Counter.builder(RecentTraffic.TENSOR_REQUESTS)
                  .description("Inference requests finished")
                  .tags(tags)
                  .tag("outcome", "failure")
                  .register(registry));
      queue =
          keep(
              Timer.builder("kiln.inference.queue.duration")
                  .description("Time a request waited before its execution started")
                  .tags(tags)
                  .serviceLevelObjectives(LATENCY_BUCKETS)
                  .register(registry));
      compute =
          keep(
              Timer.builder("kiln.inference.compute.duration")
                  .description("Time of the engine execution that carried a request")
                  .tags(tags)
                  .serviceLevelObjectives(LATENCY_BUCKETS)
                  .register(registry));
      total =
          keep(
              Timer.builder(RecentTraffic.TENSOR_LATENCY)
                  .description("Time from a request's arrival in the queue to its result: queue plus compute")
                  .tags(tags)
                  .serviceLevelObjectives(LATENCY_BUCKETS)
                  .register(registry));
      batch =
          keep(
              DistributionSummary.builder("kiln.inference.batch.size")
                  .baseUnit("rows")
                  .description("Rows per engine execution")
                  .tags(tags)
                  .serviceLevelObjectives(BATCH_BUCKETS)
                  .register(registry));
      // Strong reference: Micrometer keeps a gauge's object weakly, and nothing else holds this list.
      keep(
          Gauge.builder("kiln.inference.pending", pendingSources, s -> s.stream().mapToInt(IntSupplier::getAsInt).sum())
              .strongReference(true)
              .baseUnit("requests")
              .description("Requests waiting in the model's queue")
              .tags(tags)
              .register(registry));
    }

    private <M extends Meter> M keep(M m) {
      meters.add(m);
      return m;
    }

    void onRequest(long queueNanos, long computeNanos, boolean ok) {
      queue.record(queueNanos, TimeUnit.NANOSECONDS);
      total.record(queueNanos + computeNanos, TimeUnit.NANOSECONDS);
      if (ok) {
        compute.record(computeNanos, TimeUnit.NANOSECONDS);
        success.increment();
      } else {
        failure.increment();
      }
    }
  }
}
