package dev.kiln.training.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.govern.crypto.ArtifactStore.PutResult;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.Dialect;
import dev.kiln.training.data.DatasetException;
import dev.kiln.training.data.DatasetManifest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tables {@code dataset_names} (the last version number handed out per name) and {@code dataset_versions} (one row per
 * version: its manifest as JSON and where its bytes are in the artifact store).
 *
 * <p>The next number is claimed by an upsert on the name's counter row in the transaction that inserts the version:
 * PostgreSQL locks that row until commit and SQLite has one writer, so concurrent adds on any number of replicas get
 * distinct numbers, and a counter outlives deletes, so a number is never handed out again.
 */
final class DatasetTable {
  private static final String COLUMNS = "manifest, artifact, artifact_sha256";

  /** A version as stored: the manifest, and the artifact that holds its bytes. */
  record Row(DatasetManifest manifest, String artifact, String artifactSha256) {}

  private final Database db;
  private final ObjectMapper json = new ObjectMapper();

  DatasetTable(Database db) {
    this.db = db;
  }

  /** Claims the next version of the draft's name and inserts it, in one transaction. */
  DatasetManifest insertNext(DatasetManifest draft, PutResult artifact) {
    return db.transaction(c -> {
      int version;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO dataset_names (name, last_version) VALUES (?, 1) ON CONFLICT (name)"
                  + " DO UPDATE SET last_version = dataset_names.last_version + 1 RETURNING last_version")) {
        ps.setString(1, draft.name());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          version = rs.getInt(1);
        }
      }
      DatasetManifest m = numbered(draft, version);
      insert(c, m, artifact, "");
      return m;
    });
  }

  /**
   * Inserts a version under its own number unless one is there already, raising the name's counter to at least {@code
   * claimed} (a legacy folder's highest number ever handed out, deleted ones included).
   *
   * @return false when the version was there already (nothing changed)
   */
  boolean insertAs(DatasetManifest m, PutResult artifact, int claimed) {
    return db.transaction(c -> {
      if (find(c, m.name(), m.version()).isPresent()) {
        return false;
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO dataset_names (name, last_version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET"
                  + " last_version = CASE WHEN excluded.last_version > dataset_names.last_version"
                  + " THEN excluded.last_version ELSE dataset_names.last_version END")) {
        ps.setString(1, m.name());
        ps.setInt(2, Math.max(claimed, m.version()));
        ps.executeUpdate();
      }
      // Another replica importing the same version at once: its row wins, this one changes nothing.
      return insert(c, m, artifact, " ON CONFLICT (name, version) DO NOTHING") == 1;
    });
  }

  Optional<Row> find(String name, int version) {
    return db.read(c -> find(c, name, version));
  }

  Optional<Row> newest(String name) {
    return db.read(c -> {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT " + COLUMNS + " FROM dataset_versions WHERE name = ? ORDER BY version DESC LIMIT 1")) {
        ps.setString(1, name);
        return one(ps);
      }
    });
  }

  /** Every version, by name then version. */
  List<DatasetManifest> all() {
    return db.read(c -> {
      List<DatasetManifest> out = new ArrayList<>();
      try (PreparedStatement ps =
              c.prepareStatement("SELECT " + COLUMNS + " FROM dataset_versions ORDER BY name, version");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs).manifest());
        }
      }
      return out;
    });
  }

  /** Removes a version's row (its counter stays); the removed row, whose artifact is the caller's to delete. */
  Optional<Row> delete(String name, int version) {
    return db.transaction(c -> {
      Optional<Row> row = find(c, name, version);
      if (row.isPresent()) {
        return deleteRow(c, name, version) ? row : Optional.<Row>empty();
      }
      return row;
    });
  }

  /**
   * Deletes a version's row in {@code c}'s transaction; false when another transaction deleted it first (on PostgreSQL
   * the second delete waits for the first to commit, then finds nothing), so the row's removal is a claim.
   */
  static boolean deleteRow(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM dataset_versions WHERE name = ? AND version = ?")) {
      ps.setString(1, name);
      ps.setInt(2, version);
      return ps.executeUpdate() == 1;
    }
  }

  Optional<Row> find(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM dataset_versions WHERE name = ? AND version = ?")) {
      ps.setString(1, name);
      ps.setInt(2, version);
      return one(ps);
    }
  }

  private Optional<Row> one(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(row(rs)) : Optional.empty();
    }
  }

  Row row(ResultSet rs) throws SQLException {
    String manifest = rs.getString(1);
    try {
      return new Row(json.readValue(manifest, DatasetManifest.class), rs.getString(2), rs.getString(3));
    } catch (JsonProcessingException e) {
      throw new DatasetException("a dataset manifest in the database is unreadable", e);
    }
  }

  private int insert(Connection c, DatasetManifest m, PutResult artifact, String onConflict) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO dataset_versions (name, version, manifest, artifact, artifact_sha256, created_by, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)"
                + onConflict)) {
      ps.setString(1, m.name());
      ps.setInt(2, m.version());
      ps.setString(3, manifestJson(m));
      ps.setString(4, artifact.key());
      ps.setString(5, artifact.sha256());
      ps.setString(6, m.createdBy());
      setInstant(ps, 7, created(m));
      return ps.executeUpdate();
    }
  }

  private String manifestJson(DatasetManifest m) {
    try {
      return json.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a dataset manifest always serialises", e);
    }
  }

  private static Instant created(DatasetManifest m) {
    try {
      return Instant.parse(m.created()).truncatedTo(ChronoUnit.MILLIS);
    } catch (RuntimeException e) {
      return Instant.now().truncatedTo(ChronoUnit.MILLIS); // a legacy manifest without a readable time
    }
  }

  /** As the governance tables keep instants: epoch milliseconds on SQLite, a timestamp on PostgreSQL. */
  private void setInstant(PreparedStatement ps, int i, Instant at) throws SQLException {
    if (db.dialect() == Dialect.SQLITE) {
      ps.setLong(i, at.toEpochMilli());
    } else {
      ps.setObject(i, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
    }
  }

  /** The draft with its version number: everything else as described at upload. */
  static DatasetManifest numbered(DatasetManifest d, int version) {
    return new DatasetManifest(
        d.name(),
        version,
        d.format(),
        d.options(),
        d.data(),
        d.rows(),
        d.columns(),
        d.classes(),
        d.task(),
        d.sha256(),
        d.sizeBytes(),
        d.created(),
        d.createdBy(),
        d.text());
  }
}
