package dev.kiln.core.serving;

import dev.kiln.core.scheduling.ExecutionObserver;
import java.util.concurrent.atomic.LongAdder;

/** Accumulates {@link Statistics} for one version; lock-free so the worker threads never contend on it. */
final class VersionStatistics implements ExecutionObserver {
  private final LongAdder inferences = new LongAdder();
  private final LongAdder executions = new LongAdder();
  private final LongAdder successCount = new LongAdder();
  private final LongAdder successNs = new LongAdder();
  private final LongAdder failCount = new LongAdder();
  private final LongAdder failNs = new LongAdder();
  private final LongAdder queueCount = new LongAdder();
  private final LongAdder queueNs = new LongAdder();
  private final LongAdder computeCount = new LongAdder();
  private final LongAdder computeNs = new LongAdder();
  private volatile long lastInferenceMillis;

  @Override
  public void onExecution(int requests, long rows, long computeNanos, boolean success) {
    executions.increment();
    if (success) {
      inferences.add(rows);
    }
  }

  @Override
  public void onRequest(long queueNanos, long computeNanos, boolean success) {
    lastInferenceMillis = System.currentTimeMillis();
    queueCount.increment();
    queueNs.add(queueNanos);
    if (success) {
      successCount.increment();
      successNs.add(queueNanos + computeNanos);
      computeCount.increment();
      computeNs.add(computeNanos);
    } else {
      failCount.increment();
      failNs.add(queueNanos + computeNanos);
    }
  }

  /** A request refused before it reached the queue (bad input, full queue). */
  @Override
  public void onRejected() {
    lastInferenceMillis = System.currentTimeMillis();
    failCount.increment();
  }

  Statistics snapshot(String name, long version) {
    return new Statistics(
        name,
        Long.toString(version),
        lastInferenceMillis,
        inferences.sum(),
        executions.sum(),
        new Statistics.Duration(successCount.sum(), successNs.sum()),
        new Statistics.Duration(failCount.sum(), failNs.sum()),
        new Statistics.Duration(queueCount.sum(), queueNs.sum()),
        new Statistics.Duration(computeCount.sum(), computeNs.sum()));
  }
}
