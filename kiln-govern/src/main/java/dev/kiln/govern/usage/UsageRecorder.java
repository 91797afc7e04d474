package dev.kiln.govern.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts requests, errors, rows and latency per key, model and day in memory, and adds them to the shared store on
 * {@link #flush()} (every few seconds), so accounting never adds a database write to a request. The same counts are
 * Prometheus counters: {@code kiln_key_requests_total{key, model, outcome}} and {@code kiln_key_rows_total}.
 */
public final class UsageRecorder {
  private static final Logger LOG = Logger.getLogger(UsageRecorder.class.getName());

  private record Cell(String key, String model, LocalDate day) {}

  private record Meter(String key, String model, boolean ok) {}

  private final UsageStore store;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<Cell, UsageRow> pending = new ConcurrentHashMap<>();
  private final Map<Meter, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Meter, Counter> rows = new ConcurrentHashMap<>();
  private final Map<Meter, Counter> tokens = new ConcurrentHashMap<>();

  public UsageRecorder(UsageStore store, MeterRegistry registry, Clock clock) {
    this.store = store;
    this.registry = registry;
    this.clock = clock;
  }

  public void record(String keyId, String model, boolean ok, long rows, long tokens, long latencyNanos) {
    String m = model == null ? "" : model;
    LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    UsageRow delta = new UsageRow(keyId, m, day, 1, ok ? 0 : 1, rows, tokens, latencyNanos / 1000);
    pending.merge(new Cell(keyId, m, day), delta, UsageRow::plus);
    // Looked up in a map of our own: building and registering a meter id per request costs more than the rest
    // of the accounting. The map holds the same meters the registry does, so it grows no further than it.
    requests
        .computeIfAbsent(
            new Meter(keyId, m, ok),
            k ->
                Counter.builder("kiln_key_requests_total")
                    .description("Model calls per API key")
                    .tags("key", k.key(), "model", k.model(), "outcome", k.ok() ? "success" : "failure")
                    .register(registry))
        .increment();
    if (rows > 0) {
      this.rows
          .computeIfAbsent(
              new Meter(keyId, m, true),
              k -> Counter.builder("kiln_key_rows_total").tags("key", k.key(), "model", k.model()).register(registry))
          .increment(rows);
    }
  }

  /** Language-model tokens of a call already counted by {@link #record}. */
  public void tokens(String keyId, String model, long tokens) {
    String m = model == null ? "" : model;
    LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    pending.merge(new Cell(keyId, m, day), new UsageRow(keyId, m, day, 0, 0, 0, tokens, 0), UsageRow::plus);
    this.tokens
        .computeIfAbsent(
            new Meter(keyId, m, true),
            k ->
                Counter.builder("kiln_key_tokens_total")
                    .description("Language-model tokens per API key")
                    .tags("key", k.key(), "model", k.model())
                    .register(registry))
        .increment(tokens);
  }

  /**
   * Writes what is pending. Serialised: a reader flushes first to see its own latest calls, and without the lock a
   * second flush could find nothing pending while the first was still writing, and its reader miss those counts.
   */
  public synchronized void flush() {
    List<UsageRow> rows = new ArrayList<>();
    for (Cell c : List.copyOf(pending.keySet())) {
      UsageRow r = pending.remove(c);
      if (r != null) {
        rows.add(r);
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    try {
      store.add(rows);
    } catch (RuntimeException e) {
      rows.forEach(r -> pending.merge(new Cell(r.keyId(), r.model(), r.day()), r, UsageRow::plus));
      LOG.log(Level.WARNING, "usage could not be written; retrying", e);
    }
  }
}
