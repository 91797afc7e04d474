package dev.kiln.govern.store;

import dev.kiln.govern.auth.CounterStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Limit counters in table {@code counters}, one row per (counter, window start). Each delta is an upsert that returns
 * the new total, so a replica adds its count and learns the cluster's in one statement per counter.
 *
 * <p>Expiry: the store does not know how long a window is, so it deletes every counter whose window <em>starts</em>
 * before {@code expireBefore}; callers pass now minus their longest window (a day for daily quotas).
 */
public final class JdbcCounterStore implements CounterStore {
  // Always in the same order, so two replicas adding to the same counters cannot deadlock on PostgreSQL.
  private static final Comparator<Counter> ORDER = Comparator.comparing(Counter::key).thenComparing(Counter::window);

  private final Database db;

  public JdbcCounterStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public Map<Counter, Long> addAndGet(Map<Counter, Long> deltas, Instant expireBefore) {
    List<Counter> counters = deltas.keySet().stream().sorted(ORDER).toList();
    return db.transaction(c -> {
      Map<Counter, Long> totals = new HashMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO counters (name, window_start, n) VALUES (?, ?, ?)"
                  + " ON CONFLICT (name, window_start) DO UPDATE SET n = counters.n + excluded.n RETURNING n")) {
        for (Counter counter : counters) {
          ps.setString(1, counter.key());
          db.dialect().setInstant(ps, 2, counter.window());
          ps.setLong(3, deltas.get(counter));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            totals.put(counter, rs.getLong(1));
          }
        }
      }
      if (expireBefore != null) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM counters WHERE window_start < ?")) {
          db.dialect().setInstant(ps, 1, expireBefore);
          ps.executeUpdate();
        }
      }
      return Map.copyOf(totals);
    });
  }
}
