package dev.kiln.govern.auth;

import dev.kiln.core.error.KilnException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions: signing in with an API key starts one, whose token (a cookie in the browser) then stands for the
 * key until the session expires, its owner signs out, or the key is revoked or rotated.
 *
 * <p>Sessions live in the database, so every replica and a restarted server honour them. Lookups go through a cache
 * with the key cache's lifetime, so a request costs no database round trip. A session ended here leaves the cache at
 * once; one ended elsewhere, or whose key changed, through the change feed ({@link #forget}). A rotation is seen at
 * once as well: the cache remembers the key's secret hash it saw, and a key with another hash sends the lookup back to
 * the database, where the rotation ended the session.
 */
public final class Sessions {
  /** A new session and its token, which exists only here and in the browser's cookie. */
  public record Started(String token, Session session, ApiKey key) {}

  private record Cached(Optional<Session> session, String keySecretHash, long until) {}

  /** 32 random bytes in unpadded base64url, as {@link KeyTokens#newSecret()}. */
  private static final int TOKEN_LENGTH = 43;

  private final SessionStore store;
  private final ApiKeys keys;
  private final Clock clock;
  private final Duration lifetime;
  private final long ttlNanos;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  /**
   * @param lifetime how long a session lasts from sign-in
   * @param cacheTtl how long a replica trusts what it read about a session when the change feed is silent
   */
  public Sessions(SessionStore store, ApiKeys keys, Clock clock, Duration lifetime, Duration cacheTtl) {
    this.store = Objects.requireNonNull(store, "store");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("a session lifetime must be positive");
    }
    this.lifetime = lifetime;
    this.ttlNanos = cacheTtl.toNanos();
  }

  public Duration lifetime() {
    return lifetime;
  }

  /** Starts a session for {@code key}, which the caller has authenticated; sessions long expired are deleted. */
  public Started start(ApiKey key) {
    Instant now = clock.instant();
    if (!key.usableAt(now)) {
      throw KilnException.unauthenticated("API key " + key.id() + " is revoked or expired");
    }
    String token = KeyTokens.newSecret();
    Instant expires =
        key.expires() == null || key.expires().isAfter(now.plus(lifetime)) ? now.plus(lifetime) : key.expires();
    Session s = new Session(KeyTokens.hash(token), key.id(), now, expires, null);
    store.insert(s);
    store.deleteExpired(now);
    return new Started(token, s, key);
  }

  /** The session's key, if the session is open and its key valid; or why not, as the exception's message (401). */
  public ApiKey authenticate(String token) {
    if (token == null || token.length() != TOKEN_LENGTH) {
      throw KilnException.unauthenticated("the session cookie is malformed; sign in again");
    }
    String hash = KeyTokens.hash(token);
    Cached c = lookup(hash, false);
    Session s = c.session().orElseThrow(() -> KilnException.unauthenticated("unknown session; sign in again"));
    ApiKey key =
        keys.cached(s.keyId())
            .orElseThrow(() -> KilnException.unauthenticated("the session's API key no longer exists; sign in again"));
    if (!key.secretHash().equals(c.keySecretHash())) { // rotated since the session was read
      c = lookup(hash, true);
      s = c.session().orElseThrow(() -> KilnException.unauthenticated("unknown session; sign in again"));
    }
    Instant now = clock.instant();
    if (key.revoked() != null) {
      throw KilnException.unauthenticated("API key " + key.id() + " was revoked; its sessions ended");
    }
    if (s.ended() != null) {
      throw KilnException.unauthenticated(
          "the session ended at " + s.ended() + " (signed out, or its API key was rotated); sign in again");
    }
    if (!now.isBefore(s.expires())) {
      throw KilnException.unauthenticated("the session expired at " + s.expires() + "; sign in again");
    }
    if (!key.usableAt(now)) {
      throw KilnException.unauthenticated("API key " + key.id() + " expired at " + key.expires());
    }
    return key;
  }

  /** The stored session of {@code token}, through the cache; empty if unknown. It may have ended or expired. */
  public Optional<Session> find(String token) {
    return token == null || token.length() != TOKEN_LENGTH
        ? Optional.empty()
        : lookup(KeyTokens.hash(token), false).session();
  }

  /** Ends the session (signing out); false if it was unknown or already ended. */
  public boolean end(String token) {
    if (token == null || token.length() != TOKEN_LENGTH) {
      return false;
    }
    String hash = KeyTokens.hash(token);
    boolean ended = store.end(hash, clock.instant());
    cache.remove(hash);
    return ended;
  }

  /** Drops what this replica cached about key {@code keyId}'s sessions: one ended, or the key changed. */
  public void forget(String keyId) {
    cache.values().removeIf(c -> c.session().map(s -> s.keyId().equals(keyId)).orElse(false));
  }

  private Cached lookup(String hash, boolean fresh) {
    long now = System.nanoTime();
    Cached c = cache.get(hash);
    if (!fresh && c != null && now < c.until()) {
      return c;
    }
    Optional<Session> s = store.find(hash);
    // The key's hash as it is now. A rotation after this read shows as another hash; one between the two reads is
    // caught by the change feed, within its interval, as a change made on another replica would be.
    String keyHash = s.flatMap(x -> keys.cached(x.keyId())).map(ApiKey::secretHash).orElse("");
    if (cache.size() > 100_000) {
      cache.clear(); // unknown tokens from a flood of bad cookies must not grow this without bound
    }
    Cached fill = new Cached(s, keyHash, now + ttlNanos);
    cache.put(hash, fill);
    return fill;
  }
}
