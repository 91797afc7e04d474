package dev.kiln.core.llm;

import java.util.List;

/**
 * What to generate from a prompt.
 *
 * @param maxTokens at most this many new tokens
 * @param temperature 0 for greedy decoding
 * @param seed for reproducible sampling; null for random
 * @param stop strings that end the generation (not included in the output)
 * @param topK sample from the k likeliest tokens only; 0 or -1 for all of them; null for the engine's default
 */
public record Generation(
    String prompt, int maxTokens, double temperature, double topP, Long seed, List<String> stop, Integer topK) {
  public Generation {
    stop = stop == null ? List.of() : List.copyOf(stop);
  }

  /** With the engine's default top-k. */
  public Generation(String prompt, int maxTokens, double temperature, double topP, Long seed, List<String> stop) {
    this(prompt, maxTokens, temperature, topP, seed, stop, null);
  }

  /** The same sampling for another prompt (a chat's, once its template has run). */
  public Generation withPrompt(String text) {
    return new Generation(text, maxTokens, temperature, topP, seed, stop, topK);
  }
}
