package dev.kiln.govern.store;

import dev.kiln.govern.usage.UsageRow;
import dev.kiln.govern.usage.UsageStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Usage in table {@code usage_daily}, one row per (key, model, UTC day), each column a running sum. */
public final class JdbcUsageStore implements UsageStore {
  private record Id(String keyId, String model, LocalDate day) {}

  // Rows are upserted in this order, so two replicas flushing the same rows cannot deadlock on PostgreSQL.
  private static final Comparator<Id> ORDER =
      Comparator.comparing(Id::day).thenComparing(Id::keyId).thenComparing(Id::model);

  private final Database db;

  public JdbcUsageStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public void add(Collection<UsageRow> deltas) {
    Map<Id, UsageRow> merged = new TreeMap<>(ORDER);
    for (UsageRow row : deltas) {
      merged.merge(new Id(row.keyId(), row.model(), row.day()), row, UsageRow::plus);
    }
    if (merged.isEmpty()) {
      return;
    }
    db.transaction(c -> {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO usage_daily"
                  + " (key_id, model, day, requests, errors, row_count, tokens, latency_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                  + " ON CONFLICT (key_id, model, day) DO UPDATE SET requests = usage_daily.requests + excluded.requests,"
                  + " errors = usage_daily.errors + excluded.errors, row_count = usage_daily.row_count + excluded.row_count,"
                  + " tokens = usage_daily.tokens + excluded.tokens,"
                  + " latency_micros = usage_daily.latency_micros + excluded.latency_micros")) {
        for (UsageRow row : merged.values()) {
          ps.setString(1, row.keyId());
          ps.setString(2, row.model());
          db.dialect().setDay(ps, 3, row.day());
          ps.setLong(4, row.requests());
          ps.setLong(5, row.errors());
          ps.setLong(6, row.rows());
          ps.setLong(7, row.tokens());
          ps.setLong(8, row.latencyMicros());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /** {@code from} and {@code to} are both inclusive. */
  @Override
  public List<UsageRow> query(String keyId, String model, LocalDate from, LocalDate to) {
    Dialect d = db.dialect();
    Conditions where =
        new Conditions()
            .add(keyId, "key_id = ?", (ps, i) -> ps.setString(i, keyId))
            .add(model, "model = ?", (ps, i) -> ps.setString(i, model))
            .add(from, "day >= ?", (ps, i) -> d.setDay(ps, i, from))
            .add(to, "day <= ?", (ps, i) -> d.setDay(ps, i, to));
    return db.read(c -> {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT key_id, model, day, requests, errors, row_count, tokens,"
                  + " latency_micros FROM usage_daily"
                  + where.where()
                  + " ORDER BY day, key_id, model")) {
        where.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          List<UsageRow> rows = new ArrayList<>();
          while (rs.next()) {
            rows.add(
                new UsageRow(
                    rs.getString("key_id"),
                    rs.getString("model"),
                    d.day(rs, "day"),
                    rs.getLong("requests"),
                    rs.getLong("errors"),
                    rs.getLong("row_count"),
                    rs.getLong("tokens"),
                    rs.getLong("latency_micros")));
          }
          return rows;
        }
      }
    });
  }
}
