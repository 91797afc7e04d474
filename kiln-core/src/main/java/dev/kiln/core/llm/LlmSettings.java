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
 * @param maxChoices the most choices ({@code n}) one request may ask for; each takes a slot
 */
public record LlmSettings(
    int contextLength, int slots, int queue, Duration deadline, Duration drainTimeout, int maxChoices) {
  /** Choices per request unless configured: 8. */
  public static final int DEFAULT_MAX_CHOICES = 8;

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
  }

  /** At most {@link #DEFAULT_MAX_CHOICES} choices per request. */
  public LlmSettings(int contextLength, int slots, int queue, Duration deadline, Duration drainTimeout) {
    this(contextLength, slots, queue, deadline, drainTimeout, DEFAULT_MAX_CHOICES);
  }

  /** Default queue (64 per model), deadline and drain (30 s each), as tensor models have. */
  public static LlmSettings of(int contextLength, int slots) {
    return new LlmSettings(contextLength, slots, 64, Duration.ofSeconds(30), Duration.ofSeconds(30));
  }
}
