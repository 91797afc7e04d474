package dev.kiln.core.model;

import java.time.Duration;
import java.util.List;

/**
 * Dynamic batching for one model.
 *
 * @param maxBatchSize most rows one execution may carry; 0 or 1 turns batching off
 * @param maxQueueDelay how long the first request of a batch may wait for others to join
 * @param preferredBatchSizes batch sizes that are dispatched at once, without waiting out the delay
 * @param maxQueueSize requests that may wait; one more is refused as overloaded
 */
public record BatchingConfig(
    int maxBatchSize, Duration maxQueueDelay, List<Integer> preferredBatchSizes, int maxQueueSize) {
  public static final int DEFAULT_QUEUE_SIZE = 1024;

  public BatchingConfig {
    if (maxBatchSize < 0) {
      throw new IllegalArgumentException("max-batch-size must be >= 0, got " + maxBatchSize);
    }
    if (maxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("max-queue-delay must be >= 0");
    }
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException("max-queue-size must be >= 1, got " + maxQueueSize);
    }
    preferredBatchSizes = List.copyOf(preferredBatchSizes);
    for (int p : preferredBatchSizes) {
      if (p < 1 || (maxBatchSize > 0 && p > maxBatchSize)) {
        throw new IllegalArgumentException("preferred batch size " + p + " outside 1.." + maxBatchSize);
      }
    }
  }

  public static BatchingConfig disabled(int maxQueueSize) {
    return new BatchingConfig(0, Duration.ZERO, List.of(), maxQueueSize);
  }

  public boolean enabled() {
    return maxBatchSize > 1;
  }
}
