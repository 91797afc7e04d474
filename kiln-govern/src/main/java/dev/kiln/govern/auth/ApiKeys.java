package dev.kiln.govern.auth;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API keys: create (the token is shown once), list, revoke, rotate, and authenticate a presented token.
 *
 * <p>Authentication reads keys through a cache: a request costs no database round trip. A change made here drops the
 * key from the cache at once; one made on another replica reaches this one through the change feed, which calls {@link
 * #forget}. The cache time is only a safety net for a feed that cannot read the database.
 */
public final class ApiKeys {
  /** A new key and its token, which exists only in this object and in the caller's hands. */
  public record Created(ApiKey key, String token) {}

  private record Cached(Optional<ApiKey> key, long until) {}

  private final KeyStore store;
  private final Clock clock;
  private final long ttlNanos;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public ApiKeys(KeyStore store, Clock clock, Duration cacheTtl) {
    this.store = store;
    this.clock = clock;
    this.ttlNanos = cacheTtl.toNanos();
  }

  public Created create(
      String name,
      List<Scope> scopes,
      Limits limits,
      Map<String, Limits> modelLimits,
      Instant expires,
      String createdBy) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "a key needs a name of 1 to 100 characters");
    }
    if (scopes == null || scopes.isEmpty()) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "a key needs at least one scope (e.g. invoke:mnist)");
    }
    String id = KeyTokens.newId();
    String secret = KeyTokens.newSecret();
    ApiKey key =
        new ApiKey(
            id, name, KeyTokens.hash(secret), scopes, limits, modelLimits, clock.instant(), createdBy, expires, null);
    store.insert(key);
    return new Created(key, KeyTokens.token(id, secret));
  }

  public List<ApiKey> list() {
    return store.list();
  }

  public Optional<ApiKey> find(String id) {
    return store.find(id);
  }

  public boolean any() {
    return !store.list().isEmpty();
  }

  public ApiKey revoke(String id) {
    if (!store.revoke(id, clock.instant())) {
      throw store.find(id).isPresent()
          ? new KilnException(ErrorKind.CONFLICT, "key " + id + " is already revoked")
          : new KilnException(ErrorKind.NOT_FOUND, "no key " + id);
    }
    cache.remove(id);
    return store.find(id).orElseThrow();
  }

  /**
   * A new secret for the key; the old token stops working (at once here, within the change feed's interval elsewhere).
   */
  public Created rotate(String id) {
    String secret = KeyTokens.newSecret();
    if (!store.replaceSecret(id, KeyTokens.hash(secret), clock.instant())) {
      throw store.find(id).isPresent()
          ? new KilnException(ErrorKind.CONFLICT, "key " + id + " is revoked")
          : new KilnException(ErrorKind.NOT_FOUND, "no key " + id);
    }
    cache.remove(id);
    ApiKey key = store.find(id).orElseThrow();
    return new Created(key, KeyTokens.token(id, secret));
  }

  /** Drops what this replica cached about key {@code id}: it changed (here or on another replica). */
  public void forget(String id) {
    cache.remove(id);
  }

  /** The valid key a token belongs to; or why not, as the exception's message (401). */
  public ApiKey authenticate(String token) {
    if (token == null) {
      throw KilnException.unauthenticated("an API key is required (Authorization: Bearer kiln_...)");
    }
    KeyTokens.Parts parts =
        KeyTokens.parse(token).orElseThrow(() -> KilnException.unauthenticated("malformed API key"));
    Optional<ApiKey> key = lookup(parts.id());
    if (key.isEmpty() || !KeyTokens.matches(parts.secret(), key.get().secretHash())) {
      throw KilnException.unauthenticated("unknown API key");
    }
    ApiKey k = key.get();
    if (k.revoked() != null) {
      throw KilnException.unauthenticated("API key " + k.id() + " was revoked");
    }
    if (!k.usableAt(clock.instant())) {
      throw KilnException.unauthenticated("API key " + k.id() + " expired at " + k.expires());
    }
    return k;
  }

  /** A key by id through the cache (for charging a call it already made), without checking a secret. */
  public Optional<ApiKey> cached(String id) {
    return id == null ? Optional.empty() : lookup(id);
  }

  private Optional<ApiKey> lookup(String id) {
    long now = System.nanoTime();
    Cached c = cache.get(id);
    if (c != null && now < c.until()) {
      return c.key();
    }
    Optional<ApiKey> k = store.find(id);
    if (cache.size() > 100_000) {
      cache.clear(); // unknown ids from a flood of bad tokens must not grow this without bound
    }
    cache.put(id, new Cached(k, now + ttlNanos));
    return k;
  }
}
