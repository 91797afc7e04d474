package dev.kiln.govern.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Whether the database's schema history already matches the migrations packaged in this Kiln, read with one query, so
 * that a restart (every replica start) skips Flyway, whose configuration, classpath scan and validation cost 0.1–0.6 s.
 *
 * <p>Only an exact match skips: the same versions, each applied successfully, each with the checksum Flyway records for
 * the packaged file. Anything else (no history table, an older schema, a failed migration, an edited migration) goes to
 * Flyway as before, which migrates or refuses. A history newer than the packaged migrations ({@link State#NEWER}) is
 * left as it is: during a rolling upgrade the replicas still on the older Kiln restart onto the migrated schema, and a
 * rollback runs the older Kiln on it; Kiln's migrations only add to the schema (expand first, drop in a later release),
 * so the older code still finds what it reads. Flyway's own default ignores such versions for the same reason.
 */
final class SchemaHistory {
  /** The packaged migrations, the same names for every dialect; {@code SchemaHistoryTest} checks the folders. */
  static final List<String> PACKAGED =
      List.of(
          "V1__governance.sql",
          "V2__changes.sql",
          "V3__datasets.sql",
          "V4__jobs.sql",
          "V5__dataset_keys.sql",
          "V6__dataset_tombstones.sql",
          "V7__sessions.sql",
          "V8__list_columns.sql",
          "V9__scoring_jobs.sql");

  private SchemaHistory() {}

  /** What the history says against the packaged migrations. */
  enum State {
    CURRENT,
    MIGRATE,
    /** Migrated by a newer Kiln: started on as it is, with a warning. */
    NEWER
  }

  /** Reads the history through {@code c} (which the caller closes). */
  static State read(Dialect dialect, Connection c) {
    Map<String, Integer> applied = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version, checksum, success FROM flyway_schema_history")) {
      while (rs.next()) {
        String version = rs.getString(1);
        int checksum = rs.getInt(2);
        boolean ok = rs.getBoolean(3) && !rs.wasNull();
        if (version == null || !ok) {
          return State.MIGRATE;
        }
        applied.put(version, checksum);
      }
    } catch (SQLException e) {
      return State.MIGRATE; // no history table yet (or unreadable): Flyway creates it, or says what is wrong
    }
    Map<String, Integer> packaged = packaged(dialect);
    int newest = packaged.keySet().stream().mapToInt(Integer::parseInt).max().orElse(0);
    if (applied.keySet().stream().anyMatch(version -> isNewer(version, newest))) {
      return State.NEWER;
    }
    return applied.equals(packaged) ? State.CURRENT : State.MIGRATE;
  }

  private static boolean isNewer(String version, int newest) {
    try {
      return Integer.parseInt(version) > newest;
    } catch (NumberFormatException e) {
      return false; // not one of Kiln's versions (V1, V2, ...): Flyway judges it
    }
  }

  /** Version to checksum of each packaged migration, as Flyway computes it. */
  static Map<String, Integer> packaged(Dialect dialect) {
    Map<String, Integer> checksums = new LinkedHashMap<>();
    for (String name : PACKAGED) {
      String version = name.substring(1, name.indexOf("__"));
      checksums.put(version, checksum(dialect.migrationFolder() + "/" + name));
    }
    return checksums;
  }

  /** Flyway's checksum: CRC32 over the file's lines in UTF-8, without line breaks or a leading byte order mark. */
  private static int checksum(String resource) {
    InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("packaged migration missing: " + resource);
    }
    CRC32 crc = new CRC32();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line = reader.readLine();
      if (line != null && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      for (; line != null; line = reader.readLine()) {
        crc.update(line.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return (int) crc.getValue();
  }
}
