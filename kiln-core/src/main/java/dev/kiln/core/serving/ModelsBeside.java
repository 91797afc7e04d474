package dev.kiln.core.serving;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.ModelState;
import java.util.List;

/**
 * Models the core serves through another door (language models, over the OpenAI API) but reports as its own: they
 * appear in the repository index with their state and failure reason, answer readiness and metadata, and load and
 * unload through the same repository operations.
 */
public interface ModelsBeside {
  /** Every version known, with its state: READY, UNLOADING while draining, UNAVAILABLE with the reason. */
  List<RepositoryEntry> index();

  /** The platform their metadata names, e.g. {@code llama.cpp}. */
  String platform();

  /**
   * (Re)loads {@code name} from the model repository.
   *
   * @throws KilnException NOT_FOUND when the repository has no such model, INVALID_ARGUMENT when it fails to load (what
   *     served before keeps serving)
   */
  void load(String name);

  /** Refuses new requests to {@code name}, lets those in flight finish (up to the drain timeout), frees it. */
  void unload(String name);

  /** Whether any version of {@code name} is known here (served, draining, failed or unloaded). */
  default boolean has(String name) {
    return index().stream().anyMatch(e -> e.name().equals(name));
  }

  /** Whether {@code name} (that version, when not empty) serves now. */
  default boolean ready(String name, String version) {
    return index().stream()
        .anyMatch(e ->
            e.name().equals(name)
                && e.state() == ModelState.READY
                && (version == null || version.isEmpty() || e.version().equals(version)));
  }

  /**
   * Its ready versions (or the one asked for), with no tensor signature: a language model is called with text.
   *
   * @throws KilnException NOT_FOUND for a version never seen, UNAVAILABLE when none is ready
   */
  default ModelMetadata metadata(String name, String version) {
    boolean any = version == null || version.isEmpty();
    List<RepositoryEntry> rows = index().stream().filter(e -> e.name().equals(name)).toList();
    if (!any && rows.stream().noneMatch(e -> e.version().equals(version))) {
      throw KilnException.notFound("model '" + name + "' has no version " + version);
    }
    List<String> ready =
        rows.stream()
            .filter(e -> e.state() == ModelState.READY)
            .filter(e -> any || e.version().equals(version))
            .map(RepositoryEntry::version)
            .toList();
    if (ready.isEmpty()) {
      throw KilnException.unavailable("model '" + name + "' has no ready version");
    }
    return new ModelMetadata(name, ready, platform(), new ModelSignature(List.of(), List.of()));
  }

  ModelsBeside NONE =
      new ModelsBeside() {
        @Override
        public List<RepositoryEntry> index() {
          return List.of();
        }

        @Override
        public String platform() {
          return "";
        }

        @Override
        public void load(String name) {
          throw KilnException.notFound("model '" + name + "' is not in the repository");
        }

        @Override
        public void unload(String name) {}
      };
}
