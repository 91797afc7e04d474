package dev.kiln.govern.registry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each model's aliases in memory, so resolving {@code model@alias} on a request reads no database. A model's entry is
 * dropped when its aliases may have changed: by the registry for changes made here, by the change feed for changes made
 * on another replica. The time to live is a safety net for a feed that cannot read the database.
 *
 * <p>A drop that races a load waits for it ({@link ConcurrentHashMap} locks the entry while it is computed), so a load
 * that read the database before a change committed is dropped after it, never kept.
 */
final class AliasCache {
  private record Entry(Map<String, Long> aliases, long until) {}

  private static final Duration TTL = Duration.ofMinutes(1);

  private final RegistryStore store;
  private final Map<String, Entry> byModel = new ConcurrentHashMap<>();

  AliasCache(RegistryStore store) {
    this.store = store;
  }

  /** alias → version of {@code model}, empty for a model with none or no such model. */
  Map<String, Long> of(String model) {
    long now = System.nanoTime();
    Entry e = byModel.get(model);
    if (e == null || now - e.until() >= 0) {
      if (byModel.size() > 10_000) {
        byModel.clear(); // names from a flood of requests for unknown models must not grow this without bound
      }
      e = byModel.compute(model, (m, old) -> new Entry(Map.copyOf(store.aliases(m)), now + TTL.toNanos()));
    }
    return e.aliases();
  }

  void forget(String model) {
    byModel.remove(model);
  }
}
