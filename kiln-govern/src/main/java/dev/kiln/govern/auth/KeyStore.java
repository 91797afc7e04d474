package dev.kiln.govern.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API keys as stored. */
public interface KeyStore {
  /**
   * @throws IllegalStateException if the id exists
   */
  void insert(ApiKey key);

  Optional<ApiKey> find(String id);

  List<ApiKey> list();

  /** Marks the key revoked at {@code at}; false if unknown or already revoked. */
  boolean revoke(String id, Instant at);

  /** Replaces the secret (rotation): the old secret stops working at once. False if unknown or revoked. */
  boolean replaceSecret(String id, String secretHash);
}
