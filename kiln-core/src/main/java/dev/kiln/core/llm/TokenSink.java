package dev.kiln.core.llm;

/** Receives a generation as it happens, on an engine thread; implementations must not block for long. */
public interface TokenSink {
  /**
   * The prompt was templated and tokenised and the engine took the generation: from here it ends with {@link #done} or
   * {@link #failed}, and failures before here (a prompt too long, a deadline passed) come without it. Lets a streamed
   * answer send its status only once it is known.
   */
  default void started() {}

  /** The next piece of text (one token, or several when a stop string had to be ruled out first). */
  void text(String piece);

  /** The generation ended; {@code promptTokens + completionTokens} is what it cost. */
  void done(FinishReason reason, int promptTokens, int completionTokens);

  void failed(Throwable error);
}
