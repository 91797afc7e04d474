package dev.kiln.govern.auth;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored API key. The secret is never stored: only {@code secretHash}, the SHA-256 of the secret (a 256-bit random
 * value, so a fast hash suffices; a slow password hash guards low-entropy secrets, which these are not).
 *
 * @param id the public part of the key ({@code kiln_<id>_<secret>}), used to find it
 * @param modelLimits limits per model name, on top of {@code limits}
 * @param revoked null while the key is valid
 * @param expires null for a key that does not expire
 */
public record ApiKey(
    String id,
    String name,
    String secretHash,
    List<Scope> scopes,
    Limits limits,
    Map<String, Limits> modelLimits,
    Instant created,
    String createdBy,
    Instant expires,
    Instant revoked) {
  public ApiKey {
    scopes = List.copyOf(scopes);
    limits = limits == null ? Limits.NONE : limits;
    modelLimits = modelLimits == null ? Map.of() : Map.copyOf(modelLimits);
  }

  public boolean allows(Action action, String model) {
    return scopes.stream().anyMatch(s -> s.allows(action, model));
  }

  public boolean usableAt(Instant now) {
    return revoked == null && (expires == null || now.isBefore(expires));
  }
}
