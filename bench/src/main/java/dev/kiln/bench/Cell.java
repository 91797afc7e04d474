package dev.kiln.bench;

import java.util.OptionalLong;

/**
 * One measurement: a mode, a concurrency, and for server modes whether the model batches (with which queue delay).
 *
 * @param queueDelayMicros the batched model's {@code max-queue-delay-us}; empty for batching off and in-process
 */
record Cell(Mode mode, int concurrency, OptionalLong queueDelayMicros) {
  boolean batching() {
    return queueDelayMicros.isPresent();
  }

  String model() {
    return batching() ? Workload.batchedModel(queueDelayMicros.getAsLong()) : Workload.UNBATCHED_MODEL;
  }

  String batchingLabel() {
    if (!mode.viaServer()) {
      return "n/a";
    }
    return batching() ? "on, " + queueDelayMicros.getAsLong() + " µs" : "off";
  }

  @Override
  public String toString() {
    return mode.label() + " c=" + concurrency + " batching " + batchingLabel();
  }
}
