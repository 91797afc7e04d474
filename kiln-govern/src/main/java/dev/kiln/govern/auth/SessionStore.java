package dev.kiln.govern.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * Browser sessions as stored, shared by every replica. A key's revocation or rotation ends its sessions too ({@link
 * KeyStore}), in the same transaction.
 */
public interface SessionStore {
  void insert(Session session);

  Optional<Session> find(String tokenHash);

  /** Marks the session ended at {@code at}; false if unknown or already ended. */
  boolean end(String tokenHash, Instant at);

  /** Deletes the sessions that expired before {@code before}; how many. */
  int deleteExpired(Instant before);
}
