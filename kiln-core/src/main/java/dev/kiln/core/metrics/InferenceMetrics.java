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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Meters for inference, tagged by model and version. Queue time and compute time are separate histograms (as
 * Triton splits them) because a slow model and a saturated queue call for different fixes.
 *
 * <p>Exported names (Prometheus): {@code kiln_inference_requests_total{outcome}},
 * {@code kiln_inference_queue_duration_seconds}, {@code kiln_inference_compute_duration_seconds},
 * {@code kiln_inference_batch_size_rows}, {@code kiln_inference_pending_requests}.
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

  public InferenceMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Meters of one model version. Call {@link VersionMeters#close()} when the version is unloaded. */
  public VersionMeters bind(String model, long version, IntSupplier pending) {
    return new VersionMeters(registry, Tags.of("model", model, "version", Long.toString(version)), pending);
  }

  /** The meters of one version, and the observer that feeds them. */
  public static final class VersionMeters implements ExecutionObserver, AutoCloseable {
    private final MeterRegistry registry;
    private final Counter success;
    private final Counter failure;
    private final Timer queue;
    private final Timer compute;
    private final DistributionSummary batch;
    private final List<Meter> meters = new ArrayList<>();

    VersionMeters(MeterRegistry registry, Tags tags, IntSupplier pending) {
      this.registry = registry;
      success = keep(Counter.builder("kiln.inference.requests").description("Inference requests finished")
          .tags(tags).tag("outcome", "success").register(registry));
      failure = keep(Counter.builder("kiln.inference.requests").description("Inference requests finished")
          .tags(tags).tag("outcome", "failure").register(registry));
      queue = keep(Timer.builder("kiln.inference.queue.duration")
          .description("Time a request waited before its execution started").tags(tags)
          .serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
      compute = keep(Timer.builder("kiln.inference.compute.duration")
          .description("Time of the engine execution that carried a request").tags(tags)
          .serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
      batch = keep(DistributionSummary.builder("kiln.inference.batch.size").baseUnit("rows")
          .description("Rows per engine execution").tags(tags).serviceLevelObjectives(BATCH_BUCKETS)
          .register(registry));
      keep(Gauge.builder("kiln.inference.pending", pending, IntSupplier::getAsInt).baseUnit("requests")
          .description("Requests waiting in the model's queue").tags(tags).register(registry));
    }

    private <M extends Meter> M keep(M m) {
      meters.add(m);
      return m;
    }

    @Override
    public void onExecution(int requests, long rows, long computeNanos, boolean ok) {
      batch.record(rows);
    }

    @Override
    public void onRequest(long queueNanos, long computeNanos, boolean ok) {
      queue.record(queueNanos, TimeUnit.NANOSECONDS);
      if (ok) {
        compute.record(computeNanos, TimeUnit.NANOSECONDS);
        success.increment();
      } else {
        failure.increment();
      }
    }

    /** A request refused before it reached the queue. */
    public void onRejected() {
      failure.increment();
    }

    @Override
    public void close() {
      meters.forEach(registry::remove);
    }
  }
}
