package dev.kiln.core.access;

import java.util.Objects;

/**
 * What an allowed caller may do, for the decisions a route cannot make before its handler runs: which entries of a
 * listing it sees, whether a job or dataset is its own, whether it may change the model a request body names.
 */
public interface Grants {
  /** The key id (or {@code anonymous} with auth off) the caller's work is recorded and owned under. */
  String principal();

  /** Whether the caller holds {@code permission} on {@code model} (null: an action not about one model). */
  boolean may(Permission permission, String model);

  /** Whether the caller may do everything: see and change every key's jobs and datasets. */
  default boolean admin() {
    return may(Permission.ADMIN, null);
  }

  /** Whether a listing shows {@code model} to the caller: it may call it or change it. */
  default boolean sees(String model) {
    return may(Permission.INVOKE, model) || may(Permission.MANAGE, model);
  }

  /** Whether something made by {@code owner} (a principal; null for records older than ownership) is the caller's. */
  default boolean owns(String owner) {
    return admin() || principal().equals(owner);
  }

  /** Everything (auth off, where every caller is {@code anonymous}). */
  static Grants all(String principal) {
    Objects.requireNonNull(principal, "principal");
    return new Grants() {
      @Override
      public String principal() {
        return principal;
      }

      @Override
      public boolean may(Permission permission, String model) {
        return true;
      }
    };
  }

  /** Nothing but the open routes (a caller with auth on before or without a key). */
  static Grants none(String principal) {
    Objects.requireNonNull(principal, "principal");
    return new Grants() {
      @Override
      public String principal() {
        return principal;
      }

      @Override
      public boolean may(Permission permission, String model) {
        return permission == Permission.OPEN;
      }
    };
  }
}
