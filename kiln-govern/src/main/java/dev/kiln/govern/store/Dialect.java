package dev.kiln.govern.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * What differs between the two databases: the migration folder, how instants and days are stored, and which failures
 * are worth retrying. Everything else (upserts with {@code ON CONFLICT}, {@code RETURNING}) is written once.
 *
 * <p>Instants are kept to the millisecond on both, so a value reads back equal wherever it was stored: epoch
 * milliseconds in an INTEGER on SQLite (which has no time type), {@code TIMESTAMP WITH TIME ZONE} on PostgreSQL. Days
 * are ISO text on SQLite (which sorts by date) and {@code DATE} on PostgreSQL.
 */
public enum Dialect {
  SQLITE("sqlite") {
    @Override
    void setInstant(PreparedStatement ps, int i, Instant at) throws SQLException {
      if (at == null) {
        ps.setNull(i, Types.BIGINT);
      } else {
        ps.setLong(i, at.toEpochMilli());
      }
    }

    @Override
    Instant instant(ResultSet rs, String column) throws SQLException {
      long millis = rs.getLong(column);
      return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    @Override
    void setDay(PreparedStatement ps, int i, LocalDate day) throws SQLException {
      ps.setString(i, day.toString());
    }

    @Override
    LocalDate day(ResultSet rs, String column) throws SQLException {
      return LocalDate.parse(rs.getString(column));
    }

    @Override
    boolean retryable(SQLException e) {
      return false; // writers queue on the busy timeout instead (Database opens every transaction IMMEDIATE)
    }
  },

  POSTGRESQL("postgresql") {
    @Override
    void setInstant(PreparedStatement ps, int i, Instant at) throws SQLException {
      ps.setObject(
          i, at == null ? null : OffsetDateTime.ofInstant(truncate(at), ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    @Override
    Instant instant(ResultSet rs, String column) throws SQLException {
      OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
      return t == null ? null : t.toInstant();
    }

    @Override
    void setDay(PreparedStatement ps, int i, LocalDate day) throws SQLException {
      ps.setObject(i, day, Types.DATE);
    }

    @Override
    LocalDate day(ResultSet rs, String column) throws SQLException {
      return rs.getObject(column, LocalDate.class);
    }

    @Override
    boolean retryable(SQLException e) {
      // serialization_failure and deadlock_detected: the transaction was rolled back and may simply run again.
      return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
    }
  };

  private final String vendor;

  Dialect(String vendor) {
    this.vendor = vendor;
  }

  /** The dialect of a JDBC URL. */
  public static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException("database URL must start with jdbc:sqlite: or jdbc:postgresql:");
  }

  String migrations() {
    return "classpath:" + migrationFolder();
  }

  /** The classpath folder of this dialect's migrations. */
  String migrationFolder() {
    return "db/migration/" + vendor;
  }

  static Instant truncate(Instant at) {
    return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS);
  }

  abstract void setInstant(PreparedStatement ps, int i, Instant at) throws SQLException;

  abstract Instant instant(ResultSet rs, String column) throws SQLException;

  abstract void setDay(PreparedStatement ps, int i, LocalDate day) throws SQLException;

  abstract LocalDate day(ResultSet rs, String column) throws SQLException;

  abstract boolean retryable(SQLException e);
}
