package dev.kiln.govern.store;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.registry.ModelRecord;
import dev.kiln.govern.registry.ModelSummary;
import dev.kiln.govern.registry.RegistryStore;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.govern.registry.VersionRecord.State;
import dev.kiln.govern.store.RegistryRows.Parameters;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Models, versions and aliases in tables {@code models}, {@code versions} and {@code aliases}.
 *
 * <p>Version numbers come from the model row's {@code last_version}, incremented by one UPDATE that returns the new
 * value: PostgreSQL locks the row until commit and SQLite has a single writer, so concurrent reservations on any number
 * of replicas get distinct, consecutive numbers, and a deleted version's number is never handed out again. Deleting a
 * version deletes the aliases that point at it; deleting a model deletes its versions (foreign keys with ON DELETE
 * CASCADE). Instants are kept to the millisecond. Each change that changes what serves (publish, archive, state,
 * delete) and each alias change appends to the change feed in its own transaction.
 */
public final class JdbcRegistryStore implements RegistryStore {
  private final Database db;
  private final RegistryRows rows;
  private final RegistryAliases aliases;
  private final RegistrySummaries summaries;

  public JdbcRegistryStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.rows = new RegistryRows(db);
    this.aliases = new RegistryAliases(db);
    this.summaries = new RegistrySummaries(db);
  }

  @Override
  public ModelRecord ensureModel(String name, String createdBy, Instant at) {
    db.transaction(c ->
        RegistryRows.update(
            c,
            "INSERT INTO models (name, created, created_by) VALUES (?, ?, ?)" + " ON CONFLICT (name) DO NOTHING",
            ps -> {
              ps.setString(1, name);
              db.dialect().setInstant(ps, 2, Objects.requireNonNull(at, "at"));
              ps.setString(3, createdBy);
            }));
    return model(name).orElseThrow(() -> notFound(name)); // only if deleted in between
  }

  @Override
  public Optional<ModelRecord> model(String name) {
    return rows.models("WHERE name = ?", ps -> ps.setString(1, name)).stream().findFirst();
  }

  @Override
  public List<ModelRecord> models() {
    return rows.models("ORDER BY name", ps -> {});
  }

  @Override
  public List<ModelSummary> summaries(String text) {
    return summaries.matching(text);
  }

  @Override
  public void setCard(String name, String card) {
    updateModel(name, "UPDATE models SET card = ? WHERE name = ?", ps -> ps.setString(1, card));
  }

  @Override
  public void setArchived(String name, boolean archived) {
    updateModel(name, "UPDATE models SET archived = ? WHERE name = ?", ps -> ps.setBoolean(1, archived));
  }

  /**
   * @throws KilnException NOT_FOUND if the model does not exist
   */
  @Override
  public VersionRecord reserveVersion(String model, String format, String source, String createdBy, Instant at) {
    Instant created = Dialect.truncate(Objects.requireNonNull(at, "at"));
    long version =
        db.transaction(c -> {
          long next;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE models SET last_version = last_version + 1 WHERE name = ? RETURNING last_version")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw notFound(model);
              }
              next = rs.getLong(1);
            }
          }
          RegistryRows.update(
              c,
              "INSERT INTO versions (model, version, state, format, source, created_by, created)"
                  + " VALUES (?, ?, 'PENDING', ?, ?, ?, ?)",
              ps -> {
                ps.setString(1, model);
                ps.setLong(2, next);
                ps.setString(3, format);
                ps.setString(4, source);
                ps.setString(5, createdBy);
                db.dialect().setInstant(ps, 6, created);
              });
          return next;
        });
    return new VersionRecord(model, version, State.PENDING, format, null, null, 0, source, null, createdBy, created);
  }

  @Override
  public boolean publish(String model, long version, String artifact, String sha256, long size, String metadata) {
    // One conditional UPDATE: a version is either still pending or fully published, never half of each.
    return changing(
            model,
            c ->
                RegistryRows.update(
                    c,
                    "UPDATE versions SET state = 'PUBLISHED', artifact = ?, sha256 = ?,"
                        + " size_bytes = ?, metadata = ? WHERE model = ? AND version = ? AND state = 'PENDING'",
                    ps -> {
                      ps.setString(1, Objects.requireNonNull(artifact, "artifact"));
                      ps.setString(2, Objects.requireNonNull(sha256, "sha256"));
                      ps.setLong(3, size);
                      ps.setString(4, metadata);
                      ps.setString(5, model);
                      ps.setLong(6, version);
                    }))
        == 1;
  }

  @Override
  public Optional<VersionRecord> version(String model, long version) {
    return rows
        .versions(
            "WHERE model = ? AND version = ?",
            ps -> {
              ps.setString(1, model);
              ps.setLong(2, version);
            })
        .stream()
        .findFirst();
  }

  @Override
  public List<VersionRecord> versions(String model) {
    return rows.versions("WHERE model = ? ORDER BY version", ps -> ps.setString(1, model));
  }

  @Override
  public List<VersionRecord> published() {
    return rows.versions(
        "WHERE state = 'PUBLISHED' AND model IN (SELECT name FROM models WHERE NOT archived)"
            + " ORDER BY model, version",
        ps -> {});
  }

  /**
   * Moves a version between PUBLISHED and ARCHIVED. A PENDING version leaves that state only through {@link #publish}
   * (which gives it its artifact) or deletion.
   *
   * @throws KilnException NOT_FOUND for an unknown version, FAILED_PRECONDITION for a pending one
   */
  @Override
  public void setVersionState(String model, long version, State state) {
    if (state == State.PENDING) {
      throw KilnException.invalid("a version cannot be made pending again");
    }
    int changed =
        changing(
            model,
            c ->
                RegistryRows.update(
                    c,
                    "UPDATE versions SET state = ? WHERE model = ? AND version = ? AND state <> 'PENDING'",
                    ps -> {
                      ps.setString(1, state.name());
                      ps.setString(2, model);
                      ps.setLong(3, version);
                    }));
    if (changed == 0) {
      throw version(model, version).isPresent()
          ? new KilnException(ErrorKind.FAILED_PRECONDITION, model + "/" + version + " is still being uploaded")
          : KilnException.notFound("model '" + model + "' has no version " + version);
    }
  }

  @Override
  public boolean deleteVersion(String model, long version) {
    return changing(
            model,
            c ->
                RegistryRows.update(
                    c,
                    "DELETE FROM versions WHERE model = ? AND version = ?",
                    ps -> {
                      ps.setString(1, model);
                      ps.setLong(2, version);
                    }))
        == 1;
  }

  @Override
  public boolean deleteModel(String name) {
    return changing(name, c -> RegistryRows.update(c, "DELETE FROM models WHERE name = ?", ps -> ps.setString(1, name)))
        == 1;
  }

  @Override
  public List<VersionRecord> stalePending(Instant before) {
    return rows.versions(
        "WHERE state = 'PENDING' AND created < ? ORDER BY created", ps -> db.dialect().setInstant(ps, 1, before));
  }

  /**
   * @throws KilnException NOT_FOUND if the version does not exist
   */
  @Override
  public void setAlias(String model, String alias, long version) {
    aliases.set(model, alias, version);
  }

  @Override
  public boolean deleteAlias(String model, String alias) {
    return aliases.delete(model, alias);
  }

  @Override
  public Map<String, Long> aliases(String model) {
    return aliases.of(model);
  }

  /** The artifacts other features keep in the same store ({@link ArtifactReferences}). */
  @Override
  public Set<String> artifactsHeldElsewhere() {
    return ArtifactReferences.outsideRegistry(db);
  }

  private void updateModel(String name, String sql, Parameters first) {
    int changed =
        changing(
            name,
            c ->
                RegistryRows.update(
                    c,
                    sql,
                    ps -> {
                      first.set(ps);
                      ps.setString(2, name);
                    }));
    if (changed == 0) {
      throw notFound(name);
    }
  }

  /**
   * Runs {@code work} in a transaction that also appends a change of {@code model} to the feed when it changed rows.
   */
  private int changing(String model, Sql<Integer> work) {
    return db.transaction(c -> {
      int changed = work.run(c);
      if (changed > 0) {
        Changes.append(db, c, Change.Kind.MODEL, model);
      }
      return changed;
    });
  }

  private static KilnException notFound(String model) {
    return KilnException.notFound("model '" + model + "' not found");
  }
}
