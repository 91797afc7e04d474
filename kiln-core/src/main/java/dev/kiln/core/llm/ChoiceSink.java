package dev.kiln.core.llm;

import java.util.List;

/**
 * Receives the choices of one request ({@link ServedLanguageModel#submit(Prompt, Generation, int, String,
 * ChoiceSink)}), each generated in a slot of its own, so their calls interleave and may come on different threads at
 * once. It hears {@link #done} once after every choice ended, or {@link #failed} once when one failed (the others are
 * then cancelled); implementations must not block for long.
 */
public interface ChoiceSink {
  /** The first choice reached the engine (see {@link TokenSink#started()}). */
  default void started() {}

  /**
   * The next piece of choice {@code index}, with its tokens' log-probabilities when {@link Generation#logprobs()} asked
   * for them (else empty).
   */
  void text(int index, String piece, List<TokenLogprob> logprobs);

  /** Choice {@code index} ended after {@code completionTokens} tokens. */
  void choiceDone(int index, FinishReason reason, int completionTokens);

  /**
   * Every choice ended; the prompt is counted once and {@code completionTokens} is the sum over the choices: what was
   * charged.
   */
  void done(int promptTokens, int completionTokens);

  void failed(Throwable error);
}
