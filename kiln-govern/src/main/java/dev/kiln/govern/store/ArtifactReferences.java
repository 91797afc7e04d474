package dev.kiln.govern.store;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Artifact keys that rows outside the registry point to: files that other features keep in the same artifact store
 * (training's datasets, job files and dataset keys), so the registry's clean-up of orphaned artifacts leaves them
 * alone. A table that starts holding artifact keys adds its query here.
 */
public final class ArtifactReferences {
  private static final List<String> QUERIES =
      List.of(
          "SELECT artifact FROM dataset_versions",
          "SELECT artifact FROM job_files",
          "SELECT artifact FROM dataset_keys");

  private ArtifactReferences() {}

  /** Every key those tables hold now. */
  public static Set<String> outsideRegistry(Database db) {
    return db.read(c -> {
      Set<String> keys = new HashSet<>();
      try (Statement s = c.createStatement()) {
        for (String query : QUERIES) {
          try (ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
              keys.add(rs.getString(1));
            }
          }
        }
      }
      return keys;
    });
  }
}
