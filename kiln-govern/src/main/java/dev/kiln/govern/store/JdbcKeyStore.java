package dev.kiln.govern.store;

import dev.kiln.govern.auth.ApiKey;
import dev.kiln.govern.auth.KeyStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * API keys in table {@code api_keys}; instants are kept to the millisecond. Every change appends to the change feed in
 * its own transaction, so other replicas drop what they cached about the key.
 */
public final class JdbcKeyStore implements KeyStore {
  private static final String COLUMNS =
      "id, name, secret_hash, scopes, limits, model_limits, created, created_by, expires, revoked";

  private final Database db;

  public JdbcKeyStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public void insert(ApiKey key) {
    Objects.requireNonNull(key, "key");
    // ON CONFLICT DO NOTHING tells a duplicate apart by its count, the same way on both databases.
    int inserted =
        db.transaction(c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO api_keys ("
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, key.id());
            ps.setString(2, key.name());
            ps.setString(3, key.secretHash());
            ps.setString(4, Json.scopes(key.scopes()));
            ps.setString(5, Json.limits(key.limits()));
            ps.setString(6, Json.modelLimits(key.modelLimits()));
            db.dialect().setInstant(ps, 7, key.created());
            ps.setString(8, key.createdBy());
            db.dialect().setInstant(ps, 9, key.expires());
            db.dialect().setInstant(ps, 10, key.revoked());
            int n = ps.executeUpdate();
            if (n == 1) {
              Changes.append(db, c, Change.Kind.KEY, key.id());
            }
            return n;
          }
        });
    if (inserted == 0) {
      throw new IllegalStateException("key id '" + key.id() + "' exists");
    }
  }

  @Override
  public Optional<ApiKey> find(String id) {
    List<ApiKey> found = select("WHERE id = ?", id);
    return found.stream().findFirst();
  }

  @Override
  public List<ApiKey> list() {
    return select("ORDER BY created, id", null);
  }

  @Override
  public boolean revoke(String id, Instant at) {
    return update(
        "UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL",
        ps -> db.dialect().setInstant(ps, 1, Objects.requireNonNull(at, "at")),
        id,
        at);
  }

  @Override
  public boolean replaceSecret(String id, String secretHash, Instant at) {
    return update(
        "UPDATE api_keys SET secret_hash = ? WHERE id = ? AND revoked IS NULL",
        ps -> ps.setString(1, Objects.requireNonNull(secretHash, "secretHash")),
        id,
        Objects.requireNonNull(at, "at"));
  }

  private interface FirstParameter {
    void set(PreparedStatement ps) throws SQLException;
  }

  /** Changes key {@code id}; a change ends the key's sessions in the same transaction, as of {@code at}. */
  private boolean update(String sql, FirstParameter first, String id, Instant at) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        first.set(ps);
        ps.setString(2, id);
        boolean changed = ps.executeUpdate() == 1;
        if (changed) {
          JdbcSessionStore.endAll(db, c, id, at);
          Changes.append(db, c, Change.Kind.KEY, id);
        }
        return changed;
      }
    });
  }

  private List<ApiKey> select(String tail, String id) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys " + tail)) {
        if (id != null) {
          ps.setString(1, id);
        }
        try (ResultSet rs = ps.executeQuery()) {
          List<ApiKey> keys = new ArrayList<>();
          while (rs.next()) {
            keys.add(key(rs));
          }
          return keys;
        }
      }
    });
  }

  private ApiKey key(ResultSet rs) throws SQLException {
    Dialect d = db.dialect();
    return new ApiKey(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("secret_hash"),
        Json.scopes(rs.getString("scopes")),
        Json.limits(rs.getString("limits")),
        Json.modelLimits(rs.getString("model_limits")),
        d.instant(rs, "created"),
        rs.getString("created_by"),
        d.instant(rs, "expires"),
        d.instant(rs, "revoked"));
  }
}
