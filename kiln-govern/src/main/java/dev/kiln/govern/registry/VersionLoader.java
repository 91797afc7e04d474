package dev.kiln.govern.registry;

/**
 * What serves the registry's versions, told of each pushed version before the push is confirmed: a version that does
 * not load is refused and undone, so the registry never keeps a version that cannot serve.
 */
public interface VersionLoader {
  /** A loader that accepts every version (for callers that serve later, or not at all). */
  VersionLoader NONE = v -> {};

  /**
   * Loads a version just published.
   *
   * @throws RuntimeException when it cannot serve; a {@code KilnException} of kind INVALID_ARGUMENT or a {@code
   *     ModelLoadException} carries a caller-safe reason, anything else is logged and reported generically
   */
  void load(VersionRecord pushed);

  /** Forgets a version whose push was undone after {@link #load} refused it; must not throw. */
  default void undone(VersionRecord pushed) {}
}
