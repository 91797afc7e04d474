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

  /** Marks the key revoked at {@code at} and ends its sessions; false if unknown or already revoked. */
  boolean revoke(String id, Instant at);

  /**
   * Replaces the secret (rotation) and ends the key's sessions at {@code at}: the old secret, and every browser signed
   * in with it, stop working at once. False if unknown or revoked.
   */
  boolean replaceSecret(String id, String secretHash, Instant at);
}
