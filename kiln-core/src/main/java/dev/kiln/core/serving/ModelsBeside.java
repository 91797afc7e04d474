package dev.kiln.core.serving;

import dev.kiln.core.error.KilnException;
import java.util.List;

/**
 * Models the core serves through another door (language models, over the OpenAI API) but reports as its own:
 * they appear in the repository index with their state and failure reason, answer readiness and metadata, and load
 * and unload through the same repository operations.
 */
public interface ModelsBeside {
  /** Every version known, with its state: READY, UNLOADING while draining, UNAVAILABLE with the reason. */
  List<RepositoryEntry> index();

  /** The platform their metadata names, e.g. {@code llama.cpp}. */
  String platform();

  /**
   * (Re)loads {@code name} from the model repository.
   *
   * @throws KilnException NOT_FOUND when the repository has no such model, INVALID_ARGUMENT
   *     when it fails to load (what served before keeps serving)
   */
  void load(String name);

  /** Refuses new requests to {@code name}, lets those in flight finish (up to the drain timeout), frees it. */
  void unload(String name);

  ModelsBeside NONE = new ModelsBeside() {
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
