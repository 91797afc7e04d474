package dev.kiln.govern.store;

import dev.kiln.core.error.KilnException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code aliases} table: names of a model's versions. A row's foreign key to its version deletes the alias with the
 * version.
 */
final class RegistryAliases {
  private final Database db;

  RegistryAliases(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * Points {@code alias} of {@code model} at {@code version}, creating or moving it.
   *
   * @throws KilnException NOT_FOUND if the version does not exist
   */
  void set(String model, String alias, long version) {
    db.transaction(c -> {
      // Checked first for a clear error; the foreign key still guards against a delete racing this.
      boolean exists;
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM versions WHERE model = ? AND version = ?")) {
        ps.setString(1, model);
        ps.setLong(2, version);
        try (ResultSet rs = ps.executeQuery()) {
          exists = rs.next();
        }
      }
      if (!exists) {
        throw KilnException.notFound("model '" + model + "' has no version " + version);
      }
      int changed =
          RegistryRows.update(
              c,
              "INSERT INTO aliases (model, alias, version) VALUES (?, ?, ?)"
                  + " ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version",
              ps -> {
                ps.setString(1, model);
                ps.setString(2, alias);
                ps.setLong(3, version);
              });
      Changes.append(db, c, Change.Kind.ALIAS, model);
      return changed;
    });
  }

  boolean delete(String model, String alias) {
    return db.transaction(c -> {
      int deleted =
          RegistryRows.update(
              c,
              "DELETE FROM aliases WHERE model = ? AND alias = ?",
              ps -> {
                ps.setString(1, model);
                ps.setString(2, alias);
              });
      if (deleted == 1) {
        Changes.append(db, c, Change.Kind.ALIAS, model);
      }
      return deleted == 1;
    });
  }

  /** alias → version, by alias. */
  Map<String, Long> of(String model) {
    return db.read(c -> {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT alias, version FROM aliases WHERE model = ? ORDER BY alias")) {
        ps.setString(1, model);
        try (ResultSet rs = ps.executeQuery()) {
          Map<String, Long> aliases = new LinkedHashMap<>();
          while (rs.next()) {
            aliases.put(rs.getString("alias"), rs.getLong("version"));
          }
          return aliases;
        }
      }
    });
  }
}
