package dev.kiln.server;

import dev.kiln.core.llm.JsonLimits;
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
 * @param queuePerKey requests one API key (with auth off: all callers together) may hold in a model's queue; one more
 *     from it is answered 429 with Retry-After while other keys are admitted. Keys are served round-robin.
 * @param maxTokens the most tokens a request may ask for ({@code max_tokens}); more is answered 400 naming the cap; 0:
 *     the context length
 * @param maxPromptBytes the longest prompt in UTF-8 bytes, refused with 400 before it is queued or tokenised; 0: 64
 *     bytes per token of context
 * @param json bounds on structured output: schema size and depth, strings and items written where a schema sets none
 * @param maxChoices the most choices ({@code n}) one request may ask for; more is answered 400
 * @param isolation whether llama.cpp runs in a child process per model
 */
public record LlmConfig(
    int contextLength,
    int slots,
    int threads,
    int queue,
    Duration deadline,
    int queuePerKey,
    int maxTokens,
    int maxPromptBytes,
    JsonLimits json,
    int maxChoices,
    LlmIsolation isolation) {
  public LlmConfig {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(isolation, "isolation");
    Objects.requireNonNull(json, "json");
    if (maxChoices < 1) {
      throw new IllegalArgumentException("max choices must be at least 1");
    }
    if (contextLength < 16 || slots < 1 || threads < 0 || queue < 0 || deadline.isNegative()) {
      throw new IllegalArgumentException(
          "context length must be at least 16, slots at least 1, threads and queue "
              + "at least 0, the deadline not negative");
    }
    if (queuePerKey < 0 || maxTokens < 0 || maxPromptBytes < 0) {
      throw new IllegalArgumentException("queue per key, max tokens and max prompt bytes must be at least 0");
    }
  }

  /**
   * A key may hold half the queue (rounded up), so one key's flood leaves the other half to the rest; the default
   * structured-output bounds ({@link JsonLimits#defaults()}) and at most {@link LlmSettings#DEFAULT_MAX_CHOICES}
   * choices per request; isolated in a child process per model.
   */
  public LlmConfig(int contextLength, int slots, int threads, int queue, Duration deadline) {
    this(
        contextLength,
        slots,
        threads,
        queue,
        deadline,
        (queue + 1) / 2,
        0,
        0,
        JsonLimits.defaults(),
        LlmSettings.DEFAULT_MAX_CHOICES,
        LlmIsolation.defaults());
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
    return new LlmConfig(
        contextLength, slots, t, queue, deadline, queuePerKey, maxTokens, maxPromptBytes, json, maxChoices, isolation);
  }

  /** Another queue and deadline; a key may hold half the new queue. */
  public LlmConfig withQueue(int q, Duration d) {
    return new LlmConfig(
        contextLength, slots, threads, q, d, (q + 1) / 2, maxTokens, maxPromptBytes, json, maxChoices, isolation);
  }

  public LlmConfig withQueuePerKey(int perKey) {
    return new LlmConfig(
        contextLength, slots, threads, queue, deadline, perKey, maxTokens, maxPromptBytes, json, maxChoices, isolation);
  }

  /** Another token cap and prompt bound (0: the defaults). */
  public LlmConfig withLimits(int tokens, int promptBytes) {
    return new LlmConfig(
        contextLength, slots, threads, queue, deadline, queuePerKey, tokens, promptBytes, json, maxChoices, isolation);
  }

  public LlmConfig withJson(JsonLimits j) {
    return new LlmConfig(
        contextLength,
        slots,
        threads,
        queue,
        deadline,
        queuePerKey,
        maxTokens,
        maxPromptBytes,
        j,
        maxChoices,
        isolation);
  }

  public LlmConfig withMaxChoices(int n) {
    return new LlmConfig(
        contextLength, slots, threads, queue, deadline, queuePerKey, maxTokens, maxPromptBytes, json, n, isolation);
  }

  public LlmConfig withIsolation(LlmIsolation i) {
    return new LlmConfig(
        contextLength, slots, threads, queue, deadline, queuePerKey, maxTokens, maxPromptBytes, json, maxChoices, i);
  }

  /** The core's settings, draining as long as tensor models do. */
  LlmSettings settings(Duration drainTimeout) {
    return new LlmSettings(
        contextLength,
        slots,
        queue,
        deadline,
        drainTimeout,
        queuePerKey,
        maxTokens == 0 ? Integer.MAX_VALUE : maxTokens,
        maxPromptBytes,
        maxChoices);
  }
}
