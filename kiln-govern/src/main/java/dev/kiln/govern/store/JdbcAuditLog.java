package dev.kiln.govern.store;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.govern.audit.AuditEvent;
import dev.kiln.govern.audit.AuditLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The audit log in table {@code audit_log}. This class only inserts and selects; triggers in the schema refuse UPDATE
 * and DELETE, so not even a bug or a hand-written statement can rewrite history.
 */
public final class JdbcAuditLog implements AuditLog {
  private static final int MAX_LIMIT = 10_000;

  private final Database db;

  public JdbcAuditLog(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** Stores {@code e} with its instant kept to the millisecond; returns it as stored. */
  @Override
  public AuditEvent append(AuditEvent e) {
    Objects.requireNonNull(e, "e");
    Instant at = Dialect.truncate(Objects.requireNonNull(e.at(), "at"));
    long id =
        db.transaction(c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO audit_log"
                      + " (at, actor, action, target, source, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            db.dialect().setInstant(ps, 1, at);
            ps.setString(2, e.actor());
            ps.setString(3, e.action());
            ps.setString(4, e.target());
            ps.setString(5, e.source());
            ps.setString(6, e.outcome());
            ps.setString(7, e.detail());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
    return new AuditEvent(id, at, e.actor(), e.action(), e.target(), e.source(), e.outcome(), e.detail());
  }

  /** {@code from} is inclusive, {@code to} exclusive; {@code targetPrefix} matches case-sensitively. */
  @Override
  public List<AuditEvent> query(String actor, String action, String targetPrefix, Instant from, Instant to, int limit) {
    return select(where(actor, action, targetPrefix, from, to), limit, 0);
  }

  /**
   * As {@link #query(String, String, String, Instant, Instant, int)}, the entries after {@code page.offset()}, with
   * their count. Ordered by id, walked backwards from the newest through the primary key (or the actor's or action's
   * index where one is given), so a first page reads {@code limit} rows however long the log.
   */
  @Override
  public Page<AuditEvent> query(
      String actor, String action, String targetPrefix, Instant from, Instant to, PageRequest page) {
    Conditions where = where(actor, action, targetPrefix, from, to);
    List<AuditEvent> events = select(where, page.limit(), page.offset());
    long total =
        db.read(c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_log" + where.where())) {
            where.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
    // Counted after the page was read: entries appended in between are counted, never fewer than the page holds.
    return new Page<>(events, Math.max(total, events.size()));
  }

  private Conditions where(String actor, String action, String targetPrefix, Instant from, Instant to) {
    Dialect d = db.dialect();
    // substr rather than LIKE: SQLite's LIKE ignores case, and a prefix holding % or _ needs no escaping.
    return new Conditions()
        .add(actor, "actor = ?", (ps, i) -> ps.setString(i, actor))
        .add(action, "action = ?", (ps, i) -> ps.setString(i, action))
        .add(
            targetPrefix,
            "substr(target, 1, " + length(targetPrefix) + ") = ?",
            (ps, i) -> ps.setString(i, targetPrefix))
        .add(from, "at >= ?", (ps, i) -> d.setInstant(ps, i, from))
        .add(to, "at < ?", (ps, i) -> d.setInstant(ps, i, to));
  }

  private List<AuditEvent> select(Conditions where, int limit, int offset) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
    }
    Dialect d = db.dialect();
    return db.read(c -> {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT id, at, actor, action, target, source, outcome, detail"
                  + " FROM audit_log"
                  + where.where()
                  + " ORDER BY id DESC LIMIT ? OFFSET ?")) {
        int next = where.bind(ps);
        ps.setInt(next, limit);
        ps.setInt(next + 1, offset);
        try (ResultSet rs = ps.executeQuery()) {
          List<AuditEvent> events = new ArrayList<>();
          while (rs.next()) {
            events.add(
                new AuditEvent(
                    rs.getLong("id"),
                    d.instant(rs, "at"),
                    rs.getString("actor"),
                    rs.getString("action"),
                    rs.getString("target"),
                    rs.getString("source"),
                    rs.getString("outcome"),
                    rs.getString("detail")));
          }
          return events;
        }
      }
    });
  }

  /** Characters as SQL counts them (code points), inlined as a number: it is an int, never caller text. */
  private static int length(String prefix) {
    return prefix == null ? 0 : prefix.codePointCount(0, prefix.length());
  }
}
