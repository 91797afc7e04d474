package dev.kiln.core.llm;

import java.util.List;

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

  /**
   * The next piece with its tokens' log-probabilities, when the generation asked for them ({@link
   * Generation#logprobs()}); a sink that does not want them hears {@link #text} alone.
   */
  default void tokens(String piece, List<TokenLogprob> logprobs) {
    text(piece);
  }

  /** The generation ended; {@code promptTokens + completionTokens} is what it cost. */
  void done(FinishReason reason, int promptTokens, int completionTokens);

  void failed(Throwable error);
}
