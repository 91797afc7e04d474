package dev.kiln.core.llm;

import java.nio.file.Path;

/** Loads language models of one file format (GGUF for llama.cpp). */
public interface LanguageEngine {
  /** The model file name it serves in a repository version folder, e.g. {@code model.gguf}. */
  String modelFileName();

  /** The platform model metadata names, e.g. {@code llama.cpp}. */
  default String platform() {
    return "language-model";
  }

  /**
   * @param contextLength tokens per slot (prompt + completion)
   * @param slots generations decoded together; more wait for a free slot
   * @throws dev.kiln.core.engine.ModelLoadException for a file it cannot use, with the reason
   */
  LanguageModel load(Path file, int contextLength, int slots);
}
