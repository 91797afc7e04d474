package dev.kiln.govern.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored browser session: it stands for key {@code keyId} until it expires or ends. The token is never stored, only
 * {@code tokenHash}, its SHA-256 (the token is 256 random bits, so a fast hash suffices, as for a key's secret).
 *
 * @param ended null while the session is open; set when its owner signs out or its key is revoked or rotated
 */
public record Session(String tokenHash, String keyId, Instant created, Instant expires, Instant ended) {
  public Session {
    Objects.requireNonNull(tokenHash, "tokenHash");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(expires, "expires");
  }

  public boolean openAt(Instant now) {
    return ended == null && now.isBefore(expires);
  }
}
