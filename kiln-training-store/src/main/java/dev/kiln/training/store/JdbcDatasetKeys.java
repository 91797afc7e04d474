package dev.kiln.training.store;

import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Database;
import dev.kiln.training.data.DatasetKeys;
import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dataset keys for a governed server: each key is an artifact of the encrypted {@link ArtifactStore} (sealed under the
 * master key, covered by {@code kiln master-key rotate|rewrap}), and the {@code dataset_keys} row names that artifact.
 * A first use stores a fresh key and inserts its row if the name has none; a replica that lost the race removes its own
 * artifact and reads the winner's, so every replica hashes with the one key. A name's key never changes, so it is kept
 * in memory once read.
 */
public final class JdbcDatasetKeys implements DatasetKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final ArtifactStore artifacts;
  private final Clock clock;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  public JdbcDatasetKeys(Database db, ArtifactStore artifacts, Clock clock) {
    this.db = db;
    this.artifacts = artifacts;
    this.clock = clock;
  }

  private record Row(String artifact, String sha256) {}

  @Override
  public byte[] hashKey(String dataset) {
    return cache.computeIfAbsent(dataset, this::load).clone();
  }

  private byte[] load(String dataset) {
    Row row = find(dataset).orElseGet(() -> create(dataset));
    return artifacts.read(row.artifact(), row.sha256());
  }

  private Row create(String dataset) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    ArtifactStore.PutResult put = artifacts.put(new ByteArrayInputStream(key), key.length);
    int inserted =
        db.transaction(c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO dataset_keys (dataset, artifact, sha256, created) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT (dataset) DO NOTHING")) {
            s.setString(1, dataset);
            s.setString(2, put.key());
            s.setString(3, put.sha256());
            s.setLong(4, clock.millis());
            return s.executeUpdate();
          }
        });
    if (inserted == 1) {
      return new Row(put.key(), put.sha256());
    }
    artifacts.delete(put.key()); // another replica made the name's key first
    return find(dataset).orElseThrow(() -> new IllegalStateException("dataset key of " + dataset + " vanished"));
  }

  private Optional<Row> find(String dataset) {
    return db.read(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT artifact, sha256 FROM dataset_keys WHERE dataset = ?")) {
        s.setString(1, dataset);
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2))) : Optional.empty();
        }
      }
    });
  }

  /** The artifacts that hold dataset keys: the registry's clean-up must not take them for orphans. */
  public static Set<String> artifacts(Database db) {
    return db.read(c -> {
      Set<String> keys = new HashSet<>();
      try (PreparedStatement s = c.prepareStatement("SELECT artifact FROM dataset_keys");
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    });
  }
}
