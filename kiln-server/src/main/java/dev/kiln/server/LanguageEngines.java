package dev.kiln.server;

import dev.kiln.core.llm.LanguageEngine;
import dev.kiln.engine.llama.LlamaEngine;
import dev.kiln.engine.llama.LlamaOptions;
import dev.kiln.engine.llama.process.ProcessEngine;
import dev.kiln.engine.llama.process.ProcessOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The llama.cpp engine {@link LlmIsolation} asks for: in a child process per model, or in this one. */
final class LanguageEngines {
  private LanguageEngines() {}

  /**
   * @param scratch the owner-only plaintext scratch folder for the models' folders, beside the staged registry files
   *     (so a staged file is linked, not copied); empty for the system's temporary folder
   * @param staged where registry versions are staged in plaintext ({@code LanguageModelStaging}): a staged file is
   *     deleted when the last model serving it is unloaded
   */
  static LanguageEngine of(LlmConfig llm, Optional<Path> scratch, Optional<Path> staged) {
    // Context length and slots are LanguageModels' to pass at load; the threads are fixed here.
    LlamaOptions options = new LlamaOptions(0, 1, llm.threads());
    if (!llm.isolation().process()) {
      return new LlamaEngine(options);
    }
    ProcessOptions process =
        ProcessOptions.defaults()
            .withHeap(llm.isolation().childHeap())
            .withRestarts(llm.isolation().restarts(), Duration.ofSeconds(1));
    if (scratch.isPresent()) {
      process = process.withWorkFolder(scratch.get());
    }
    if (staged.isPresent()) {
      process = process.withStaged(staged.get());
    }
    return new ProcessEngine(options, process);
  }
}
