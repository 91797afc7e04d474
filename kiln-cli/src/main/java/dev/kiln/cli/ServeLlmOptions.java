package dev.kiln.cli;

import dev.kiln.server.LlmConfig;
import dev.kiln.server.LlmIsolation;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code kiln serve}'s language-model options: context, slots, threads, queue and deadline of each GGUF model. */
final class ServeLlmOptions {
  @Option(
      names = "--llm-context",
      defaultValue = "2048",
      description = "Tokens per language-model slot, prompt " + "and completion together (default: ${DEFAULT-VALUE}).")
  int llmContext;

  @Option(
      names = "--llm-slots",
      defaultValue = "4",
      description =
          "Generations a language model decodes together; " + "more wait for a slot (default: ${DEFAULT-VALUE}).")
  int llmSlots;

  @Option(
      names = "--llm-threads",
      defaultValue = "0",
      description =
          "llama.cpp CPU threads per language model; 0 " + "lets llama.cpp choose (default: ${DEFAULT-VALUE}).")
  int llmThreads;

  @Option(
      names = "--llm-queue",
      defaultValue = "64",
      description =
          "Requests a language model holds beyond its "
              + "slots; one more is answered 503 at once (default: ${DEFAULT-VALUE}).")
  int llmQueue;

  @Option(
      names = "--llm-deadline",
      defaultValue = "30s",
      description =
          "How long a language-model request may "
              + "wait for a slot; one that waited longer is answered 504 and not generated for (default: ${DEFAULT-VALUE}).")
  Duration llmDeadline;

  @Option(
      names = "--llm-isolation",
      defaultValue = "process",
      description =
          "Where llama.cpp runs: 'process' (a child process per model: a crash ends only that model, which is "
              + "restarted; unloading returns its memory) or 'in-process' (default: ${DEFAULT-VALUE}).")
  String llmIsolation;

  @Option(
      names = "--llm-child-heap",
      defaultValue = "256m",
      description =
          "Java heap of each language model's child process; llama.cpp's memory is native and apart "
              + "(default: ${DEFAULT-VALUE}).")
  String llmChildHeap;

  @Option(
      names = "--llm-restarts",
      defaultValue = "5",
      description =
          "Restarts, 1 s apart and doubling, of a language model whose process died before it stays "
              + "failed (default: ${DEFAULT-VALUE}).")
  int llmRestarts;

  LlmConfig config() {
    LlmIsolation isolation =
        switch (llmIsolation) {
          case "process" -> new LlmIsolation(true, llmChildHeap, llmRestarts);
          case "in-process" -> LlmIsolation.inProcess();
          default ->
              throw new IllegalArgumentException(
                  "--llm-isolation: " + llmIsolation + " (expected: process or in-process)");
        };
    return new LlmConfig(llmContext, llmSlots, llmThreads, llmQueue, llmDeadline, isolation);
  }
}
