package dev.kiln.govern.store;

import dev.kiln.govern.registry.ModelRecord;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.govern.registry.VersionRecord.State;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The registry's statements and rows: runs an update or a select with its parameters, and maps rows of {@code models}
 * and {@code versions} to records. {@link JdbcRegistryStore} says what to ask; this says how rows are read.
 */
final class RegistryRows {
  private static final String MODEL_COLUMNS = "name, card, created, created_by, archived";
  private static final String VERSION_COLUMNS =
      "model, version, state, format, artifact, sha256, size_bytes, source, metadata, created_by, created";

  /** Sets a statement's parameters. */
  interface Parameters {
    void set(PreparedStatement ps) throws SQLException;
  }

  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private final Database db;

  RegistryRows(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** Runs one INSERT, UPDATE or DELETE on {@code c}; returns the rows it changed. */
  static int update(Connection c, String sql, Parameters parameters) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      parameters.set(ps);
      return ps.executeUpdate();
    }
  }

  /** Models selected by {@code tail} (a WHERE and/or ORDER BY clause). */
  List<ModelRecord> models(String tail, Parameters parameters) {
    return select(
        "SELECT " + MODEL_COLUMNS + " FROM models " + tail,
        parameters,
        rs ->
            new ModelRecord(
                rs.getString("name"),
                rs.getString("card"),
                db.dialect().instant(rs, "created"),
                rs.getString("created_by"),
                rs.getBoolean("archived")));
  }

  /** Versions selected by {@code tail} (a WHERE and/or ORDER BY clause). */
  List<VersionRecord> versions(String tail, Parameters parameters) {
    return select(
        "SELECT " + VERSION_COLUMNS + " FROM versions " + tail,
        parameters,
        rs ->
            new VersionRecord(
                rs.getString("model"),
                rs.getLong("version"),
                State.valueOf(rs.getString("state")),
                rs.getString("format"),
                rs.getString("artifact"),
                rs.getString("sha256"),
                rs.getLong("size_bytes"),
                rs.getString("source"),
                rs.getString("metadata"),
                rs.getString("created_by"),
                db.dialect().instant(rs, "created")));
  }

  private <T> List<T> select(String sql, Parameters parameters, Row<T> row) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        parameters.set(ps);
        try (ResultSet rs = ps.executeQuery()) {
          List<T> rows = new ArrayList<>();
          while (rs.next()) {
            rows.add(row.read(rs));
          }
          return rows;
        }
      }
    });
  }
}
