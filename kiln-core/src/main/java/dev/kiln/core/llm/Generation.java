package dev.kiln.core.llm;

import java.util.List;

/**
 * What to generate from a prompt.
 *
 * @param maxTokens at most this many new tokens
 * @param temperature 0 for greedy decoding
 * @param seed for reproducible sampling; null for random
 * @param stop strings that end the generation (not included in the output)
 */
public record Generation(String prompt, int maxTokens, double temperature, double topP, Long seed,
    List<String> stop) {
  public Generation {
    stop = stop == null ? List.of() : List.copyOf(stop);
  }
}
