package dev.kiln.scoring;

import java.time.Duration;
import java.util.Objects;

/**
 * How a replica runs scoring jobs.
 *
 * @param concurrency jobs this replica runs at once (0: none; it only serves the API)
 * @param lease how long a runner may go without a heartbeat before another replica takes its job over
 * @param partRows rows per committed part of the output: what a takeover scores again at most, and what a runner holds
 *     in memory at most (one part's CSV text)
 * @param defaultBatchSize rows per inference request when neither the job nor the model's batching names a size
 * @param maxBatchSize the largest {@code batch_size} a job may ask for
 */
public record ScoringSettings(int concurrency, Duration lease, int partRows, int defaultBatchSize, int maxBatchSize) {
  public ScoringSettings {
    Objects.requireNonNull(lease, "lease");
    if (concurrency < 0) {
      throw new IllegalArgumentException("scoring concurrency must be >= 0, got " + concurrency);
    }
    if (lease.toMillis() < 100) {
      throw new IllegalArgumentException("scoring lease must be at least 100 ms");
    }
    if (partRows < 1) {
      throw new IllegalArgumentException("scoring part rows must be >= 1, got " + partRows);
    }
    if (maxBatchSize < 1 || defaultBatchSize < 1 || defaultBatchSize > maxBatchSize) {
      throw new IllegalArgumentException(
          "scoring batch sizes: default " + defaultBatchSize + ", max " + maxBatchSize + " (need 1 <= default <= max)");
    }
  }

  /** One job at a time, a 30 s lease, parts of 10,000 rows, batches of 256 rows (at most 4,096). */
  public static ScoringSettings defaults() {
    return new ScoringSettings(1, Duration.ofSeconds(30), 10_000, 256, 4_096);
  }

  public ScoringSettings withConcurrency(int c) {
    return new ScoringSettings(c, lease, partRows, defaultBatchSize, maxBatchSize);
  }

  public ScoringSettings withLease(Duration d) {
    return new ScoringSettings(concurrency, d, partRows, defaultBatchSize, maxBatchSize);
  }

  public ScoringSettings withPartRows(int rows) {
    return new ScoringSettings(concurrency, lease, rows, defaultBatchSize, maxBatchSize);
  }
}
