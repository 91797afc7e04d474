package dev.kiln.core.oip;

import dev.kiln.core.access.Permission;

/**
 * Every OIP operation, with the permission it needs. Adapters build their permission tables (REST routes, gRPC methods)
 * from here, so a scope means the same on both protocols.
 *
 * <p>{@link #namesModel()}: the operation is about the model its request names (a path segment over REST, a message
 * field over gRPC), and a per-model scope is checked against that name without its alias. An operation that names no
 * model needs the permission on every model ({@code invoke:*}, {@code manage:*}).
 */
public enum OipOperation {
  /** Liveness probe: open, so orchestrators need no key. */
  SERVER_LIVE(Permission.OPEN, false),
  /** Readiness probe: open. */
  SERVER_READY(Permission.OPEN, false),
  /** Server name, version and extensions: any valid key. */
  SERVER_METADATA(Permission.AUTHENTICATED, false),
  /** Whether one model (or version) can serve; see {@link OipRulebook#modelReady}. */
  MODEL_READY(Permission.INVOKE, true),
  MODEL_METADATA(Permission.INVOKE, true),
  MODEL_CONFIG(Permission.INVOKE, true),
  /** Statistics of one model: a caller of the model may see how it is used. */
  MODEL_STATISTICS(Permission.INVOKE, true),
  /** Statistics of every model (no name given): shows what every model serves, so it takes {@code manage:*}. */
  ALL_STATISTICS(Permission.MANAGE, false),
  INFER(Permission.INVOKE, true),
  /** Any valid key may ask; each sees only the models it may call or change. */
  REPOSITORY_INDEX(Permission.AUTHENTICATED, false),
  REPOSITORY_LOAD(Permission.MANAGE, true),
  REPOSITORY_UNLOAD(Permission.MANAGE, true);

  private final Permission permission;
  private final boolean namesModel;

  OipOperation(Permission permission, boolean namesModel) {
    this.permission = permission;
    this.namesModel = namesModel;
  }

  public Permission permission() {
    return permission;
  }

  public boolean namesModel() {
    return namesModel;
  }

  /** Statistics of the named model, or of all models when the request names none (an empty name). */
  public static OipOperation statistics(String model) {
    return model.isEmpty() ? ALL_STATISTICS : MODEL_STATISTICS;
  }
}
