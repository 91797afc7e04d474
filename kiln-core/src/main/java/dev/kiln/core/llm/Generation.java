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
 * @param logprobs {@link #NO_LOGPROBS}, or report each token's log-probability with this many likeliest alternatives (0
 *     to {@link #MAX_LOGPROBS}) through {@link TokenSink#tokens}
 */
public record Generation(
    String prompt,
    int maxTokens,
    double temperature,
    double topP,
    Long seed,
    List<String> stop,
    Integer topK,
    String grammar,
    int logprobs) {
  /** No log-probabilities. */
  public static final int NO_LOGPROBS = -1;

  /** The most alternatives per token, as OpenAI's {@code top_logprobs} allows. */
  public static final int MAX_LOGPROBS = 20;

  public Generation {
    stop = stop == null ? List.of() : List.copyOf(stop);
    grammar = grammar == null ? "" : grammar;
    if (logprobs < NO_LOGPROBS || logprobs > MAX_LOGPROBS) {
      throw new IllegalArgumentException("logprobs: " + logprobs + " (expected: -1 to " + MAX_LOGPROBS + ")");
    }
  }

  /** Constrained by {@code grammar}, without log-probabilities. */
  public Generation(
      String prompt,
      int maxTokens,
      double temperature,
      double topP,
      Long seed,
      List<String> stop,
      Integer topK,
      String grammar) {
    this(prompt, maxTokens, temperature, topP, seed, stop, topK, grammar, NO_LOGPROBS);
  }

  /** Free text, with {@code logprobs} alternatives per token (or {@link #NO_LOGPROBS}). */
  public Generation(
      String prompt,
      int maxTokens,
      double temperature,
      double topP,
      Long seed,
      List<String> stop,
      Integer topK,
      int logprobs) {
    this(prompt, maxTokens, temperature, topP, seed, stop, topK, "", logprobs);
  }

  /** Free text without log-probabilities. */
  public Generation(
      String prompt, int maxTokens, double temperature, double topP, Long seed, List<String> stop, Integer topK) {
    this(prompt, maxTokens, temperature, topP, seed, stop, topK, "", NO_LOGPROBS);
  }

  /** With the engine's default top-k. */
  public Generation(String prompt, int maxTokens, double temperature, double topP, Long seed, List<String> stop) {
    this(prompt, maxTokens, temperature, topP, seed, stop, null);
  }

  /** The same sampling for another prompt (a chat's, once its template has run). */
  public Generation withPrompt(String text) {
    return new Generation(text, maxTokens, temperature, topP, seed, stop, topK, grammar, logprobs);
  }

  /** The same generation, constrained by {@code gbnf}. */
  public Generation withGrammar(String gbnf) {
    return new Generation(prompt, maxTokens, temperature, topP, seed, stop, topK, gbnf, logprobs);
  }

  /** The same for choice {@code index} of several: its seed is {@code seed + index}, so each is reproducible. */
  public Generation forChoice(int index) {
    Long s = seed == null ? null : seed + index;
    return new Generation(prompt, maxTokens, temperature, topP, s, stop, topK, grammar, logprobs);
  }

  public boolean wantsLogprobs() {
    return logprobs != NO_LOGPROBS;
  }

  public boolean constrained() {
    return !grammar.isEmpty();
  }
}
