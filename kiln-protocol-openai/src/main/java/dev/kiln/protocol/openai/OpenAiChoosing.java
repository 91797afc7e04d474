package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.Generation;

/**
 * How many choices a request asks for and whether with log probabilities: {@code n} (1 up to the server's bound), and
 * chat's {@code logprobs} (a boolean) with {@code top_logprobs} (0 to 20, only with {@code logprobs: true}) or
 * completions' {@code logprobs} (0 to 5 alternatives). Each is checked as OpenAI checks it, naming its field.
 *
 * @param logprobs {@link Generation#NO_LOGPROBS}, or the alternatives wanted per token
 */
record OpenAiChoosing(int n, int logprobs) {
  /** OpenAI's bound on completions' {@code logprobs}. */
  static final int MAX_LEGACY_LOGPROBS = 5;

  boolean wantsLogprobs() {
    return logprobs != Generation.NO_LOGPROBS;
  }

  /**
   * @param maxChoices the server's bound on {@code n} ({@code kiln serve --llm-max-choices})
   */
  static OpenAiChoosing read(JsonNode body, boolean chat, int maxChoices) {
    int n = 1;
    if (OpenAiRequests.present(body, "n")) {
      JsonNode v = body.get("n");
      if (!v.isNumber() || !v.canConvertToExactIntegral() || v.bigIntegerValue().signum() <= 0) {
        throw KilnException.invalid("'n' must be an integer from 1 to " + maxChoices);
      }
      n = (int) OpenAiRequests.integer(body, "n", 1, maxChoices); // the message names this server's bound
    }
    return new OpenAiChoosing(n, chat ? chatLogprobs(body) : legacyLogprobs(body));
  }

  private static int chatLogprobs(JsonNode body) {
    boolean wanted = false;
    if (OpenAiRequests.present(body, "logprobs")) {
      JsonNode lp = body.get("logprobs");
      if (!lp.isBoolean()) {
        throw KilnException.invalid("'logprobs' must be a boolean");
      }
      wanted = lp.asBoolean();
    }
    if (!OpenAiRequests.present(body, "top_logprobs")) {
      return wanted ? 0 : Generation.NO_LOGPROBS;
    }
    int top = (int) OpenAiRequests.integer(body, "top_logprobs", 0, Generation.MAX_LOGPROBS);
    if (!wanted && top > 0) {
      throw KilnException.invalid("'top_logprobs' needs 'logprobs': true");
    }
    return wanted ? top : Generation.NO_LOGPROBS;
  }

  /** Completions: {@code logprobs} is the count of alternatives; 0 still returns the chosen tokens' own. */
  private static int legacyLogprobs(JsonNode body) {
    if (!OpenAiRequests.present(body, "logprobs")) {
      return Generation.NO_LOGPROBS;
    }
    return (int) OpenAiRequests.integer(body, "logprobs", 0, MAX_LEGACY_LOGPROBS);
  }
}
