package dev.kiln.core.llm;

import dev.kiln.core.error.KilnException;
import java.util.Objects;

/**
 * What a request may ask of a model, checked before it takes a queue place: templating and tokenising a prompt the
 * context cannot hold, or generating past the server's cap, would only hold a slot.
 *
 * @param maxTokens the most tokens a generation may ask for: the server's cap, at most the context length
 * @param maxPromptBytes the longest prompt in UTF-8 bytes ({@link PromptBytes})
 */
record RequestLimits(int maxTokens, int maxPromptBytes) {
  /**
   * @throws KilnException INVALID_ARGUMENT naming the limit a request passes
   */
  void check(Prompt prompt, Generation generation) {
    Objects.requireNonNull(generation, "generation");
    if (generation.maxTokens() > maxTokens) {
      throw KilnException.invalid(
          "max_tokens: " + generation.maxTokens() + " (expected: at most " + maxTokens + ", this server's cap)");
    }
    long bytes = PromptBytes.of(Objects.requireNonNull(prompt, "prompt"));
    if (bytes > maxPromptBytes) {
      throw KilnException.invalid("prompt: " + bytes + " bytes (expected: at most " + maxPromptBytes + ")");
    }
  }
}
