package dev.kiln.govern.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * Appends to the {@code changes} table inside the transaction of the change it records, so the row commits (and other
 * replicas see it) exactly when the change does. Call it last in the transaction.
 *
 * <p>On PostgreSQL the appender first locks the table against other appenders until commit: sequence numbers are then
 * handed out in commit order, so a reader asking for rows after the last one it saw can never skip one that commits
 * later with a smaller number. Changes are admin operations, rare enough for that to cost nothing. The NOTIFY is
 * delivered at commit and wakes every replica's {@link ChangeFeed} at once. SQLite has one writer at a time already.
 */
final class Changes {
  /** The PostgreSQL notification channel the feed listens on. */
  static final String CHANNEL = "kiln_changes";

  private Changes() {}

  static void append(Database db, Connection c, Change.Kind kind, String subject) throws SQLException {
    if (db.dialect() == Dialect.POSTGRESQL) {
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE changes IN SHARE ROW EXCLUSIVE MODE");
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO changes (at, kind, subject, origin) VALUES (?, ?, ?, ?)")) {
      db.dialect().setInstant(ps, 1, Instant.now());
      ps.setString(2, kind.name());
      ps.setString(3, subject);
      ps.setString(4, db.origin());
      ps.executeUpdate();
    }
    if (db.dialect() == Dialect.POSTGRESQL) {
      try (Statement s = c.createStatement()) {
        s.execute("NOTIFY " + CHANNEL);
      }
    }
  }
}
