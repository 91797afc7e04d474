package dev.kiln.training.store;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.Dialect;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetTombstone;
import dev.kiln.training.store.DatasetTable.Row;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Deletion and retention of dataset versions (migration V6): {@code dataset_tombstones}, one row per deleted version,
 * written in the transaction that deletes the version's row, and {@code dataset_names.retention_seconds}, how long a
 * name's versions are kept. The delete is the claim: of concurrent deleters exactly one removes the row and so writes
 * the tombstone and deletes the bytes.
 */
final class DatasetRetention {
  private final Database db;
  private final DatasetTable table;

  DatasetRetention(Database db, DatasetTable table) {
    this.db = db;
    this.table = table;
  }

  /** Deletes the version's row and records its tombstone; the row (whose bytes are the caller's to delete) if won. */
  Optional<Row> delete(String name, int version, String by, String reason, Instant at) {
    Instant when = at.truncatedTo(ChronoUnit.MILLIS);
    return db.transaction(c -> {
      Optional<Row> row = table.find(c, name, version);
      if (row.isEmpty() || !DatasetTable.deleteRow(c, name, version)) {
        return Optional.<Row>empty();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO dataset_tombstones (name, version, sha256, deleted_by, deleted_at, reason)"
                  + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING")) {
        ps.setString(1, name);
        ps.setInt(2, version);
        ps.setString(3, row.get().manifest().sha256());
        ps.setString(4, by);
        setInstant(ps, 5, when);
        ps.setString(6, reason);
        ps.executeUpdate();
      }
      return row;
    });
  }

  Optional<DatasetTombstone> tombstone(String name, int version) {
    return db.read(c -> {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT sha256, deleted_by, deleted_at, reason FROM dataset_tombstones WHERE name = ? AND version = ?")) {
        ps.setString(1, name);
        ps.setInt(2, version);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<DatasetTombstone>empty();
          }
          return Optional.of(
              new DatasetTombstone(name, version, rs.getString(1), rs.getString(2), instant(rs, 3), rs.getString(4)));
        }
      }
    });
  }

  Optional<Duration> retention(String name) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT retention_seconds FROM dataset_names WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<Duration>empty();
          }
          long seconds = rs.getLong(1);
          return rs.wasNull() ? Optional.<Duration>empty() : Optional.of(Duration.ofSeconds(seconds));
        }
      }
    });
  }

  void retain(String name, Optional<Duration> retention) {
    int changed =
        db.transaction(c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE dataset_names SET retention_seconds = ? WHERE name = ?")) {
            if (retention.isPresent()) {
              ps.setLong(1, retention.get().toSeconds());
            } else {
              ps.setNull(1, Types.BIGINT);
            }
            ps.setString(2, name);
            return ps.executeUpdate();
          }
        });
    if (changed == 0) {
      throw new KilnException(ErrorKind.NOT_FOUND, "no dataset " + name);
    }
  }

  /**
   * Versions whose name's retention has run out at {@code now} (uploaded at or before now - retention), oldest first.
   */
  List<DatasetManifest> expired(Instant now) {
    return db.read(c -> {
      List<DatasetManifest> out = new ArrayList<>();
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT v.manifest, v.artifact, v.artifact_sha256, v.created_at, n.retention_seconds"
                      + " FROM dataset_versions v JOIN dataset_names n ON n.name = v.name"
                      + " WHERE n.retention_seconds IS NOT NULL");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Instant created = instant(rs, 4);
          if (!created.plusSeconds(rs.getLong(5)).isAfter(now)) {
            out.add(table.row(rs).manifest());
          }
        }
      }
      out.sort(Comparator.comparing(DatasetManifest::created).thenComparing(DatasetManifest::name));
      return out;
    });
  }

  /** As the governance tables keep instants: epoch milliseconds on SQLite, a timestamp on PostgreSQL. */
  private void setInstant(PreparedStatement ps, int i, Instant at) throws SQLException {
    if (db.dialect() == Dialect.SQLITE) {
      ps.setLong(i, at.toEpochMilli());
    } else {
      ps.setObject(i, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
    }
  }

  private Instant instant(ResultSet rs, int i) throws SQLException {
    if (db.dialect() == Dialect.SQLITE) {
      return Instant.ofEpochMilli(rs.getLong(i));
    }
    return rs.getObject(i, OffsetDateTime.class).toInstant();
  }
}
