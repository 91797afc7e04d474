package dev.kiln.server;

import java.util.Objects;

/**
 * Where llama.cpp runs. In a child process per model (the default) a llama.cpp crash ends only that model's process,
 * which is restarted, and unloading a model returns its native memory; in process nothing is started, but one GGUF that
 * crashes llama.cpp ends the server, and llama.cpp 4.2.0 keeps every unloaded model's memory. The cost of the child is
 * measured in BENCHMARKS.md (language models in a child process).
 *
 * @param process true for a child process per model
 * @param childHeap the child JVM's maximum heap ({@code -Xmx}, e.g. {@code 256m}); llama.cpp's memory is native
 * @param restarts how often a model whose process died is restarted, with doubling back-off, before it stays failed
 */
public record LlmIsolation(boolean process, String childHeap, int restarts) {
  public LlmIsolation {
    Objects.requireNonNull(childHeap, "childHeap");
    if (!childHeap.matches("[0-9]+[kmgKMG]?") || restarts < 0) {
      throw new IllegalArgumentException(
          "child heap " + childHeap + ", restarts " + restarts + " (expected: a size such as 256m, >= 0)");
    }
  }

  public static LlmIsolation defaults() {
    return new LlmIsolation(true, "256m", 5);
  }

  /** llama.cpp inside the server's own process. */
  public static LlmIsolation inProcess() {
    return new LlmIsolation(false, "256m", 0);
  }
}
