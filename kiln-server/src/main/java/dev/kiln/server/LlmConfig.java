package dev.kiln.server;

/**
 * How language models (GGUF files in the model repository) are served.
 *
 * @param contextLength tokens per slot, prompt and completion together
 * @param slots generations decoded together per model; more requests wait for a free slot
 */
public record LlmConfig(int contextLength, int slots) {
  public LlmConfig {
    if (contextLength < 16 || slots < 1) {
      throw new IllegalArgumentException("context length must be at least 16 and slots at least 1");
    }
  }

  public static LlmConfig defaults() {
    return new LlmConfig(2048, 4);
  }
}
