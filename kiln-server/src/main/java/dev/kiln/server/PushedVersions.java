package dev.kiln.server;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.registry.VersionLoader;
import dev.kiln.govern.registry.VersionRecord;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Loads each version pushed to the registry before the push is confirmed; the registry undoes a push whose version this
 * refuses, so nothing that cannot serve is kept, even on a model whose older versions serve.
 */
final class PushedVersions implements VersionLoader {
  private final ModelRegistry registry;
  private final InferenceCore core;
  private final Consumer<VersionRecord> serveLanguageModel;

  /**
   * @param serveLanguageModel serves a GGUF version, throwing when it does not load
   */
  PushedVersions(ModelRegistry registry, InferenceCore core, Consumer<VersionRecord> serveLanguageModel) {
    this.registry = registry;
    this.core = core;
    this.serveLanguageModel = serveLanguageModel;
  }

  @Override
  public void load(VersionRecord v) {
    if (registry.model(v.model()).archived()) {
      throw new KilnException(
          ErrorKind.CONFLICT, "model '" + v.model() + "' is archived: unarchive it before pushing a version");
    }
    if (ModelRegistry.GGUF.equals(v.format())) {
      serveLanguageModel.accept(v); // what served under the name keeps serving if this fails
      return;
    }
    core.publish(v.model());
    // Older versions may serve while this one failed (the model stays available): still a refusal of this one.
    String version = Long.toString(v.version());
    Optional<RepositoryEntry> row =
        core.index(false).stream().filter(e -> e.name().equals(v.model()) && e.version().equals(version)).findFirst();
    if (row.isEmpty() || row.get().state() != ModelState.READY) {
      throw KilnException.invalid(row.map(RepositoryEntry::reason).filter(r -> !r.isEmpty()).orElse("it did not load"));
    }
  }

  @Override
  public void undone(VersionRecord v) {
    if (!ModelRegistry.GGUF.equals(v.format())) {
      core.refresh(v.model()); // drops the refused version and its failure; what serves is not reloaded
    }
  }
}
