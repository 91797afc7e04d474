package dev.kiln.govern.auth;

import dev.kiln.core.access.Caller;
import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Grants;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.usage.UsageRecorder;
import java.util.Optional;

/** The gate with auth on: a valid key, a scope for the action and model, and room in its limits. */
public final class GovernedGate implements Gate {
  private final ApiKeys keys;
  private final Sessions sessions;
  private final RateLimiter limiter;
  private final UsageRecorder usage;

  public GovernedGate(ApiKeys keys, Sessions sessions, RateLimiter limiter, UsageRecorder usage) {
    this.keys = keys;
    this.sessions = sessions;
    this.limiter = limiter;
    this.usage = usage;
  }

  /** What a valid key may do, asked by handlers after the route's own check. */
  private record KeyGrants(ApiKey key) implements Grants {
    @Override
    public String principal() {
      return key.id();
    }

    @Override
    public boolean may(Permission permission, String model) {
      return permission == Permission.OPEN
          || permission == Permission.AUTHENTICATED
          || key.allows(action(permission), model);
    }
  }

  private static Action action(Permission permission) {
    return switch (permission) {
      case INVOKE -> Action.INVOKE;
      case MANAGE -> Action.MANAGE;
      case TRAIN -> Action.TRAIN;
      case DATASET -> Action.DATASET;
      default -> Action.ADMIN;
    };
  }

  /**
   * The caller's key is its bearer token's, else its browser session's. Refusals are thrown: UNAUTHENTICATED as {@link
   * ApiKeys#authenticate} or {@link Sessions#authenticate} words it, PERMISSION_DENIED naming the key and what it may
   * not do, RATE_LIMITED from the limiter with its retry-after.
   */
  @Override
  public Grants check(Caller caller, Permission permission, String model) {
    if (permission == Permission.OPEN) {
      return Grants.none("anonymous");
    }
    ApiKey key =
        caller.token() == null && caller.session() != null
            ? sessions.authenticate(caller.session())
            : keys.authenticate(caller.token());
    if (permission == Permission.DATASET) {
      // Owning needs train; the handler checks the owner, so a train key learns nothing of others' datasets here.
      if (!key.allows(Action.TRAIN, null) && !key.allows(Action.DATASET, model)) {
        throw KilnException.denied("key " + key.id() + " may not read dataset '" + model + "'");
      }
    } else if (permission != Permission.AUTHENTICATED) {
      Action action = action(permission);
      if (!key.allows(action, model)) {
        throw KilnException.denied(
            "key "
                + key.id()
                + " may not "
                + action.word()
                + (model == null ? (action == Action.ADMIN ? "" : " every model") : " model '" + model + "'"));
      }
    }
    if (permission == Permission.INVOKE) {
      // The core names no model for calls on the whole server (a null it passes through the Gate port).
      Optional<KilnException> limited = model == null ? limiter.acquire(key) : limiter.acquire(key, model);
      if (limited.isPresent()) {
        usage.record(key.id(), model, false, 0, 0, 0);
        throw limited.get();
      }
    }
    return new KeyGrants(key);
  }

  @Override
  public void finished(String principal, String model, boolean ok, long rows, long latencyNanos) {
    usage.record(principal, model, ok, rows, 0, latencyNanos);
  }

  @Override
  public void tokens(String principal, String model, long tokens) {
    usage.tokens(principal, model, tokens);
    keys.cached(principal).ifPresent(k -> limiter.chargeTokens(k, model, tokens));
  }
}
