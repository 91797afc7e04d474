package dev.kiln.core.serving;

import java.util.Optional;

/** Resolves {@code model@alias} (e.g. {@code mnist@production}) to a version number; the registry implements it. */
@FunctionalInterface
public interface AliasResolver {
  Optional<Long> resolve(String model, String alias);

  AliasResolver NONE = (model, alias) -> Optional.empty();
}
