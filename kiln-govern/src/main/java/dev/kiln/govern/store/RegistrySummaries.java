package dev.kiln.govern.store;

import dev.kiln.govern.registry.ModelSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The registry's model listing: every model whose name holds a text, with its version count, newest published version,
 * aliases and last change, in two statements however many models (one grouped join, one read of the aliases), where
 * showing each model's versions would take one per model.
 */
final class RegistrySummaries {
  private static final String SELECT =
      "SELECT m.name, m.card, m.created, m.created_by, m.archived, count(v.version) AS version_count,"
          + " max(CASE WHEN v.state = 'PUBLISHED' THEN v.version END) AS latest_version, max(v.created) AS updated"
          + " FROM models m LEFT JOIN versions v ON v.model = m.name AND v.state <> 'PENDING'";
  private static final String GROUP = " GROUP BY m.name, m.card, m.created, m.created_by, m.archived ORDER BY m.name";

  private final Database db;

  RegistrySummaries(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** Models whose name contains {@code text} (any case; every model when empty), by name. */
  List<ModelSummary> matching(String text) {
    String like = "%" + text.toLowerCase(Locale.ROOT).replaceAll("([!%_])", "!$1") + "%";
    return db.read(c -> {
      Map<String, Map<String, Long>> aliases = aliases(c);
      try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE lower(m.name) LIKE ? ESCAPE '!'" + GROUP)) {
        ps.setString(1, like);
        try (ResultSet rs = ps.executeQuery()) {
          List<ModelSummary> models = new ArrayList<>();
          while (rs.next()) {
            models.add(row(rs, aliases));
          }
          return models;
        }
      }
    });
  }

  private ModelSummary row(ResultSet rs, Map<String, Map<String, Long>> aliases) throws SQLException {
    String name = rs.getString("name");
    Instant created = db.dialect().instant(rs, "created");
    long latest = rs.getLong("latest_version");
    Long latestVersion = rs.wasNull() ? null : latest;
    Instant updated = db.dialect().instant(rs, "updated");
    return new ModelSummary(
        name,
        rs.getString("card"),
        created,
        rs.getString("created_by"),
        rs.getBoolean("archived"),
        rs.getLong("version_count"),
        latestVersion,
        aliases.getOrDefault(name, Map.of()),
        updated == null ? created : updated);
  }

  private static Map<String, Map<String, Long>> aliases(Connection c) throws SQLException {
    Map<String, Map<String, Long>> all = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT model, alias, version FROM aliases");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        all.computeIfAbsent(rs.getString("model"), m -> new TreeMap<>())
            .put(rs.getString("alias"), rs.getLong("version"));
      }
    }
    return all;
  }
}
