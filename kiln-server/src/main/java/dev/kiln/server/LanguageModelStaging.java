package dev.kiln.server;

import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.LanguageModels;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.registry.VersionRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Serves GGUF versions from the registry. llama.cpp loads only from a file path, so the verified plaintext is written
 * to {@code <sha256>.gguf} in the process's plaintext scratch (owner-only, RAM by default: llama.cpp maps the file in
 * place, so a tmpfs copy costs no second copy of memory) for as long as the server runs: GGUF models are encrypted at
 * rest in the artifact store, and the served copy is never on disk unless the scratch is. The cache is emptied at start
 * and stop.
 */
final class LanguageModelStaging implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LanguageModelStaging.class.getName());

  private final Path cache;
  private final ModelRegistry registry;
  private final LanguageModels languageModels;

  /**
   * @param cache the scratch folder for served GGUF files ({@code PlaintextScratch})
   */
  LanguageModelStaging(Path cache, ModelRegistry registry, LanguageModels languageModels) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.languageModels = Objects.requireNonNull(languageModels, "languageModels");
  }

  /** Empties the cache, then serves, for each registry language model, the newest version that loads. */
  void start() {
    emptyLlmCache();
    for (List<VersionRecord> versions : registry.languageModelVersions().values()) {
      for (VersionRecord v : versions) { // newest first: the newest that loads serves
        try {
          serve(v);
          break;
        } catch (RuntimeException e) {
          // A version that does not load (pushed before Kiln checked, or damaged since) never stops the server.
          languageModels.failed(v.model(), v.version(), e);
        }
      }
    }
  }

  /**
   * Serves {@code v} under its model's name, staging its plaintext first.
   *
   * @throws KilnException INVALID_ARGUMENT when it does not load (what served under the name keeps serving)
   */
  void serve(VersionRecord v) {
    Path file = null;
    boolean staged = false;
    try {
      file = llmCache().resolve(v.sha256() + ".gguf");
      if (!Files.exists(file)) {
        // Streamed and verified chunk by chunk: a GGUF of several GB never passes through the heap.
        registry.contentsTo(v, file);
        staged = true;
      }
      languageModels.serve(v.model(), v.version(), file);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INTERNAL, "cannot stage language model " + v.model(), e);
    } catch (RuntimeException e) {
      if (staged) {
        deleteQuietly(file); // a copy no model serves is not left decrypted on disk
      }
      throw e instanceof ModelLoadException ? KilnException.invalid(e.getMessage()) : e;
    }
  }

  /** Empties the cache: no decrypted model outlives the server. */
  @Override
  public void close() {
    emptyLlmCache();
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warning("could not delete a language-model cache file: " + e.getMessage());
    }
  }

  private Path llmCache() throws IOException {
    if (!Files.isDirectory(cache)) {
      Files.createDirectories(
          cache, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return cache;
  }

  private void emptyLlmCache() {
    try (var files = Files.list(llmCache())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      LOG.warning("could not empty the language-model cache: " + e.getMessage());
    }
  }
}
