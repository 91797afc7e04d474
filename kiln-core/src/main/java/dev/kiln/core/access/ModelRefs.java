package dev.kiln.core.access;

import java.util.Objects;
import java.util.Optional;

/** Model references as callers write them: {@code name} or {@code name@alias}. */
public final class ModelRefs {
  private ModelRefs() {}

  /** The model name of a reference, without its alias (scopes and limits are per model, not per alias). */
  public static String name(String ref) {
    Objects.requireNonNull(ref, "ref");
    int at = ref.indexOf('@');
    return at < 0 ? ref : ref.substring(0, at);
  }

  /** The alias of a reference ({@code production} in {@code mnist@production}), if it names one. */
  public static Optional<String> alias(String ref) {
    int at = ref.indexOf('@');
    return at < 0 ? Optional.empty() : Optional.of(ref.substring(at + 1));
  }
}
