package dev.kiln.core.serving;

import dev.kiln.core.access.ModelRefs;
import dev.kiln.core.error.KilnException;
import java.util.Optional;

/**
 * Turns what a caller names (a reference, an alias, a version string) into a {@link Target}, and a target into the
 * ready version that serves it. Kept apart from {@link InferenceCore} so the rules for naming a model read in one
 * place.
 */
final class Targets {
  private final AliasResolver aliases;
  private final ServedModels models;

  Targets(AliasResolver aliases, ServedModels models) {
    this.aliases = aliases;
    this.models = models;
  }

  /**
   * The target named by a reference ({@code model} or {@code model@alias}) and a version, empty for the latest.
   *
   * @throws KilnException NOT_FOUND for a version that is not a number or an unknown alias, INVALID_ARGUMENT for both
   *     an alias and a version
   */
  Target target(String ref, String version) {
    String model = ModelRefs.name(ref);
    Optional<String> alias = ModelRefs.alias(ref);
    if (alias.isPresent()) {
      if (!version.isEmpty()) {
        throw KilnException.invalid("name a version or an alias, not both");
      }
      long v =
          aliases
              .resolve(model, alias.get())
              .orElseThrow(() -> KilnException.notFound("model '" + model + "' has no alias '" + alias.get() + "'"));
      return Target.of(model, v);
    }
    if (version.isEmpty()) {
      return Target.latest(model);
    }
    try {
      return Target.of(model, Long.parseLong(version));
    } catch (NumberFormatException e) {
      models.find(model); // an unknown model is reported as such, whatever its version
      throw KilnException.notFound("model '" + model + "' has no version '" + version + "'");
    }
  }

  /**
   * The ready version serving the target.
   *
   * @throws KilnException NOT_FOUND for an unknown model or version, UNAVAILABLE for one that exists but is not ready
   */
  ServedVersion resolve(Target target) {
    String model = target.model();
    ServedModel m = models.find(model);
    if (target.version().isEmpty()) {
      return m.latestReady().orElseThrow(() -> KilnException.unavailable("model '" + model + "' has no ready version"));
    }
    long v = target.version().get();
    return m.ready(v)
        .orElseThrow(() ->
            m.version(v).isEmpty()
                ? KilnException.notFound("model '" + model + "' has no version " + v)
                : KilnException.unavailable("model '" + model + "' version " + v + " is not ready"));
  }

  /** The target's version as a protocol writes it, empty for the latest. */
  static String versionString(Target target) {
    return target.version().map(v -> Long.toString(v)).orElse("");
  }
}
