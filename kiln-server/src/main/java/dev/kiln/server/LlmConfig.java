package dev.kiln.server;

import dev.kiln.core.llm.LlmSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How language models (GGUF files in the model repository) are served.
 *
 * @param contextLength tokens per slot, prompt and completion together
 * @param slots generations decoded together per model; also the threads of its request pool
 * @param threads llama.cpp's CPU threads per model; 0 lets llama.cpp choose
 * @param queue requests a model holds beyond its slots; one more is answered 503 at once
 * @param deadline how long a request may wait for a slot; one that waited longer is answered 504, not generated for
 * @param isolation whether llama.cpp runs in a child process per model
 */
public record LlmConfig(
    int contextLength, int slots, int threads, int queue, Duration deadline, LlmIsolation isolation) {
  public LlmConfig {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(isolation, "isolation");
    if (contextLength < 16 || slots < 1 || threads < 0 || queue < 0 || deadline.isNegative()) {
      throw new IllegalArgumentException(
          "context length must be at least 16, slots at least 1, threads and queue "
              + "at least 0, the deadline not negative");
    }
  }

  /** Isolated in a child process per model. */
  public LlmConfig(int contextLength, int slots, int threads, int queue, Duration deadline) {
    this(contextLength, slots, threads, queue, deadline, LlmIsolation.defaults());
  }

  /** The default queue (64) and deadline (30 s). */
  public LlmConfig(int contextLength, int slots, int threads) {
    this(contextLength, slots, threads, 64, Duration.ofSeconds(30));
  }

  /** llama.cpp chooses its threads. */
  public LlmConfig(int contextLength, int slots) {
    this(contextLength, slots, 0);
  }

  public static LlmConfig defaults() {
    return new LlmConfig(2048, 4);
  }

  public LlmConfig withThreads(int t) {
    return new LlmConfig(contextLength, slots, t, queue, deadline, isolation);
  }

  public LlmConfig withQueue(int q, Duration d) {
    return new LlmConfig(contextLength, slots, threads, q, d, isolation);
  }

  public LlmConfig withIsolation(LlmIsolation i) {
    return new LlmConfig(contextLength, slots, threads, queue, deadline, i);
  }

  /** The core's settings, draining as long as tensor models do. */
  LlmSettings settings(Duration drainTimeout) {
    return new LlmSettings(contextLength, slots, queue, deadline, drainTimeout);
  }
}
