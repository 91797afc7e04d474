package dev.kiln.engine.llama;

/**
 * How a GGUF model runs.
 *
 * @param contextLength tokens (prompt + completion) each generation may use; 0 takes the model's own {@code
 *     context_length}, capped at {@value #DEFAULT_CONTEXT_CAP}
 * @param parallel generations decoded together (llama.cpp slots); further requests wait for a free slot. The KV cache
 *     holds {@code contextLength * parallel} tokens.
 * @param threads CPU threads for decoding; 0 lets llama.cpp choose
 */
public record LlamaOptions(int contextLength, int parallel, int threads) {
  static final int DEFAULT_CONTEXT_CAP = 4096;

  public LlamaOptions {
    if (contextLength < 0 || parallel < 1 || threads < 0) {
      throw new IllegalArgumentException(
          "context length "
              + contextLength
              + ", parallel "
              + parallel
              + ", threads "
              + threads
              + " (expected: >= 0, >= 1, >= 0)");
    }
  }

  public static LlamaOptions defaults() {
    return new LlamaOptions(0, 4, 0);
  }
}
