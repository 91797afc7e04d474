package dev.kiln.server;

/**
 * How language models (GGUF files in the model repository) are served.
 *
 * @param contextLength tokens per slot, prompt and completion together
 * @param slots generations decoded together per model; more requests wait for a free slot
 * @param threads llama.cpp's CPU threads per model; 0 lets llama.cpp choose
 */
public record LlmConfig(int contextLength, int slots, int threads) {
  public LlmConfig {
    if (contextLength < 16 || slots < 1 || threads < 0) {
      throw new IllegalArgumentException("context length must be at least 16, slots at least 1 and threads at "
          + "least 0");
    }
  }

  /** llama.cpp chooses its threads. */
  public LlmConfig(int contextLength, int slots) {
    this(contextLength, slots, 0);
  }

  public static LlmConfig defaults() {
    return new LlmConfig(2048, 4);
  }

  public LlmConfig withThreads(int t) {
    return new LlmConfig(contextLength, slots, t);
  }
}
