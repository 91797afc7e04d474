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
 * @param grammar a GBNF grammar every output must match (structured output, tool calls: see {@link JsonGrammar}); ""
 *     for free text. Plain text, so it crosses a process boundary as is.
 */
public record Generation(
    String prompt,
    int maxTokens,
    double temperature,
    double topP,
    Long seed,
    List<String> stop,
    Integer topK,
    String grammar) {
  public Generation {
    stop = stop == null ? List.of() : List.copyOf(stop);
    grammar = grammar == null ? "" : grammar;
  }

  /** Free text. */
  public Generation(
      String prompt, int maxTokens, double temperature, double topP, Long seed, List<String> stop, Integer topK) {
    this(prompt, maxTokens, temperature, topP, seed, stop, topK, "");
  }

  /** With the engine's default top-k. */
  public Generation(String prompt, int maxTokens, double temperature, double topP, Long seed, List<String> stop) {
    this(prompt, maxTokens, temperature, topP, seed, stop, null);
  }

  /** The same sampling for another prompt (a chat's, once its template has run). */
  public Generation withPrompt(String text) {
    return new Generation(text, maxTokens, temperature, topP, seed, stop, topK, grammar);
  }

  /** The same generation, constrained by {@code gbnf}. */
  public Generation withGrammar(String gbnf) {
    return new Generation(prompt, maxTokens, temperature, topP, seed, stop, topK, gbnf);
  }
}
