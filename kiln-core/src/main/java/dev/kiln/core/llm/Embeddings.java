package dev.kiln.core.llm;

import java.util.List;

/** One vector per input, and the tokens the inputs encoded to (what they cost). */
public record Embeddings(List<float[]> vectors, int tokens) {
  public Embeddings {
    vectors = List.copyOf(vectors);
  }
}
