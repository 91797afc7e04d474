package dev.kiln.core.access;

/** Model references as callers write them: {@code name} or {@code name@alias}. */
public final class ModelRefs {
  private ModelRefs() {}

  /** The model name of a reference, without its alias (scopes and limits are per model, not per alias). */
  public static String name(String ref) {
    if (ref == null) {
      return null;
    }
    int at = ref.indexOf('@');
    return at < 0 ? ref : ref.substring(0, at);
  }
}
