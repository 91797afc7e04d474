package dev.kiln.core.llm;

import java.time.Duration;
import java.util.Objects;

/**
 * How every language model is served.
 *
 * @param contextLength tokens per slot, prompt and completion together
 * @param slots generations a model decodes together; also the threads of its request pool
 * @param queue requests a model holds beyond its slots; one more is refused at once (RESOURCE_EXHAUSTED: HTTP 503),
 *     never left waiting without bound
 * @param deadline how long a request may wait for a slot; one that waited longer fails with DEADLINE_EXCEEDED and is
 *     never generated for
 * @param drainTimeout how long unloading, replacing and shutdown wait for generations in flight before cancelling them
 * @param queuePerKey requests one caller key may hold in a model's queue; one more from that key is refused at once
 *     (RATE_LIMITED: HTTP 429 with Retry-After) while other keys are still admitted; {@code queue} or more: no bound
 *     but the total. Keys are served round-robin whatever this is. A request of several choices queues one job per
 *     choice, all its key's; a key with nothing waiting may always queue one whole request, even beyond this bound.
 * @param maxTokens the most tokens a request may ask to generate (a request asking more is refused, INVALID_ARGUMENT);
 *     never more than the model's context length
 * @param maxPromptBytes the longest prompt (UTF-8 bytes of a completion prompt, or of a chat's message contents) a
 *     request may send; a longer one is refused before it is queued, templated or tokenised; 0: 64 bytes per token of
 *     the model's context length
 * @param maxChoices the most choices ({@code n}) one request may ask for; each takes a slot
 */
public record LlmSettings(
    int contextLength,
    int slots,
    int queue,
    Duration deadline,
    Duration drainTimeout,
    int queuePerKey,
    int maxTokens,
    int maxPromptBytes,
    int maxChoices) {
  /** Choices per request unless configured: 8. */
  public static final int DEFAULT_MAX_CHOICES = 8;

  /** The prompt bound when none is set: a token of more than 64 bytes on average is not a real prompt's. */
  static final int PROMPT_BYTES_PER_TOKEN = 64;

  public LlmSettings {
    if (maxChoices < 1) {
      throw new IllegalArgumentException("max choices: " + maxChoices + " (expected: >= 1)");
    }
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (contextLength < 0 || slots < 1 || queue < 0 || deadline.isNegative() || drainTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "context length "
              + contextLength
              + ", slots "
              + slots
              + ", queue "
              + queue
              + " (expected: >= 0, >= 1, >= 0; durations not negative)");
    }
    if (queuePerKey < 0 || maxTokens < 1 || maxPromptBytes < 0) {
      throw new IllegalArgumentException(
          "queue per key "
              + queuePerKey
              + ", max tokens "
              + maxTokens
              + ", max prompt bytes "
              + maxPromptBytes
              + " (expected: >= 0, >= 1, >= 0)");
    }
  }

  /** At most {@link #DEFAULT_MAX_CHOICES} choices per request. */
  public LlmSettings(
      int contextLength,
      int slots,
      int queue,
      Duration deadline,
      Duration drainTimeout,
      int queuePerKey,
      int maxTokens,
      int maxPromptBytes) {
    this(
        contextLength,
        slots,
        queue,
        deadline,
        drainTimeout,
        queuePerKey,
        maxTokens,
        maxPromptBytes,
        DEFAULT_MAX_CHOICES);
  }

  /** No per-key bound, no token cap, no prompt bound: as models were served before these settings. */
  public LlmSettings(
      int contextLength, int slots, int queue, Duration deadline, Duration drainTimeout, int maxChoices) {
    this(contextLength, slots, queue, deadline, drainTimeout, queue, Integer.MAX_VALUE, Integer.MAX_VALUE, maxChoices);
  }

  /** No per-key bound, no token cap, no prompt bound, at most {@link #DEFAULT_MAX_CHOICES} choices per request. */
  public LlmSettings(int contextLength, int slots, int queue, Duration deadline, Duration drainTimeout) {
    this(contextLength, slots, queue, deadline, drainTimeout, DEFAULT_MAX_CHOICES);
  }

  /** Default queue (64 per model), deadline and drain (30 s each), as tensor models have. */
  public static LlmSettings of(int contextLength, int slots) {
    return new LlmSettings(contextLength, slots, 64, Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  /** The longest prompt in bytes for a model of {@code context} tokens. */
  int promptBytes(int context) {
    return maxPromptBytes > 0
        ? maxPromptBytes
        : (int) Math.min(Integer.MAX_VALUE, (long) context * PROMPT_BYTES_PER_TOKEN);
  }
}
