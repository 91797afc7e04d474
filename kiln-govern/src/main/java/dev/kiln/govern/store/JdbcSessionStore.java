package dev.kiln.govern.store;

import dev.kiln.govern.auth.Session;
import dev.kiln.govern.auth.SessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Browser sessions in table {@code sessions}; instants are kept to the millisecond. Ending one appends its key to the
 * change feed, so other replicas drop what they cached about the key's sessions.
 */
public final class JdbcSessionStore implements SessionStore {
  private final Database db;

  public JdbcSessionStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public void insert(Session s) {
    Objects.requireNonNull(s, "session");
    db.transaction(c -> {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO sessions (token_hash, key_id, created, expires, ended) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, s.tokenHash());
        ps.setString(2, s.keyId());
        db.dialect().setInstant(ps, 3, s.created());
        db.dialect().setInstant(ps, 4, s.expires());
        db.dialect().setInstant(ps, 5, s.ended());
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public Optional<Session> find(String tokenHash) {
    return db.read(c -> {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT token_hash, key_id, created, expires, ended FROM sessions WHERE token_hash = ?")) {
        ps.setString(1, tokenHash);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          Dialect d = db.dialect();
          return Optional.of(
              new Session(
                  rs.getString("token_hash"),
                  rs.getString("key_id"),
                  d.instant(rs, "created"),
                  d.instant(rs, "expires"),
                  d.instant(rs, "ended")));
        }
      }
    });
  }

  @Override
  public boolean end(String tokenHash, Instant at) {
    Objects.requireNonNull(at, "at");
    return db.transaction(c -> {
      String keyId;
      try (PreparedStatement ps = c.prepareStatement("SELECT key_id FROM sessions WHERE token_hash = ?")) {
        ps.setString(1, tokenHash);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
          keyId = rs.getString(1);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE sessions SET ended = ? WHERE token_hash = ? AND ended IS NULL")) {
        db.dialect().setInstant(ps, 1, at);
        ps.setString(2, tokenHash);
        if (ps.executeUpdate() != 1) {
          return false;
        }
      }
      Changes.append(db, c, Change.Kind.KEY, keyId);
      return true;
    });
  }

  @Override
  public int deleteExpired(Instant before) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE expires < ?")) {
        db.dialect().setInstant(ps, 1, before);
        return ps.executeUpdate();
      }
    });
  }

  /** Ends every open session of key {@code keyId} inside the caller's transaction (revocation, rotation). */
  static void endAll(Database db, Connection c, String keyId, Instant at) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE sessions SET ended = ? WHERE key_id = ? AND ended IS NULL")) {
      db.dialect().setInstant(ps, 1, at);
      ps.setString(2, keyId);
      ps.executeUpdate();
    }
  }
}
