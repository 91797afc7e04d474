package dev.kiln.govern.auth;

import java.time.Instant;
import java.util.Map;

/**
 * Request and token counters per limit window, shared by replicas: each adds what it counted since its last flush and
 * learns the cluster-wide totals in the same round trip.
 */
public interface CounterStore {
  /** A counter: {@code key} is e.g. {@code rpm|<key id>|<model or *>}; {@code window} its start. */
  record Counter(String key, Instant window) {}

  /**
   * Adds each delta (creating counters at 0) and returns the totals after the addition, in one transaction. Counters
   * whose window ended before {@code expireBefore} may be deleted. Throws an unchecked exception when the store cannot
   * be reached.
   */
  Map<Counter, Long> addAndGet(Map<Counter, Long> deltas, Instant expireBefore);
}
