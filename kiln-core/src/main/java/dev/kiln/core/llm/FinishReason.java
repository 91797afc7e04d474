package dev.kiln.core.llm;

/** Why a generation ended, with OpenAI's names. */
public enum FinishReason {
  /** The model ended its answer, or a stop string was produced. */
  STOP("stop"),
  /** {@code maxTokens} was reached. */
  LENGTH("length"),
  /** The caller went away (or cancelled). */
  CANCELLED("cancelled");

  private final String openAi;

  FinishReason(String openAi) {
    this.openAi = openAi;
  }

  public String openAi() {
    return openAi;
  }
}
