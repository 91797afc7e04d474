package dev.kiln.http;

import dev.kiln.core.access.ModelRefs;
import dev.kiln.core.access.Permission;
import java.util.function.Function;

/**
 * What a route requires: a permission, and how to find the model it is about (for per-model scopes and limits). Routes
 * registered without one require {@link Permission#ADMIN}, so a route added without thought is closed, never open.
 */
public record Access(Permission permission, Function<RestRequest, String> model) {
  public static final Access OPEN = new Access(Permission.OPEN, q -> null);
  public static final Access AUTHENTICATED = new Access(Permission.AUTHENTICATED, q -> null);
  public static final Access ADMIN = new Access(Permission.ADMIN, q -> null);
  public static final Access TRAIN = new Access(Permission.TRAIN, q -> null);
  public static final Access MANAGE_ALL = new Access(Permission.MANAGE, q -> null);

  /** Calling the model named by path parameter {@code param} ({@code name} or {@code name@alias}). */
  public static Access invoke(int param) {
    return new Access(Permission.INVOKE, q -> ModelRefs.name(q.param(param)));
  }

  /** Reading the dataset named by path parameter {@code param} ({@link Permission#DATASET}). */
  public static Access dataset(int param) {
    return new Access(Permission.DATASET, q -> q.param(param));
  }

  /** Changing the model named by path parameter {@code param}. */
  public static Access manage(int param) {
    return new Access(Permission.MANAGE, q -> ModelRefs.name(q.param(param)));
  }
}
