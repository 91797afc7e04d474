package dev.kiln.core.llm;

/** Receives a generation as it happens, on an engine thread; implementations must not block for long. */
public interface TokenSink {
  /** The next piece of text (one token, or several when a stop string had to be ruled out first). */
  void text(String piece);

  /** The generation ended; {@code promptTokens + completionTokens} is what it cost. */
  void done(FinishReason reason, int promptTokens, int completionTokens);

  void failed(Throwable error);
}
