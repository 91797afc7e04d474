package dev.kiln.cli;

import dev.kiln.core.llm.JsonLimits;
import dev.kiln.server.LlmConfig;
import dev.kiln.server.LlmIsolation;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code kiln serve}'s language-model options: context, slots, threads, queue (in all and per key), deadline and
 * request limits of each GGUF model.
 */
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
      names = "--llm-schema-bytes",
      defaultValue = "16384",
      description =
          "Longest JSON schema (response_format, tool parameters) accepted, in bytes (default: ${DEFAULT-VALUE}).")
  int schemaBytes;

  @Option(
      names = "--llm-schema-depth",
      defaultValue = "8",
      description = "Deepest nesting of objects and arrays a JSON schema may describe (default: ${DEFAULT-VALUE}).")
  int schemaDepth;

  @Option(
      names = "--llm-json-string",
      defaultValue = "256",
      description =
          "Longest string structured output writes where its schema sets no smaller maxLength (default:"
              + " ${DEFAULT-VALUE}).")
  int jsonString;

  @Option(
      names = "--llm-json-items",
      defaultValue = "32",
      description =
          "Most array items (and free-form object members) structured output writes where its schema sets no smaller"
              + " maxItems (default: ${DEFAULT-VALUE}).")
  int jsonItems;

  @Option(
      names = "--llm-max-choices",
      defaultValue = "8",
      description =
          "Most choices (OpenAI's n) one request may ask for, each decoded in a slot of its own; more is answered 400"
              + " (default: ${DEFAULT-VALUE}).")
  int llmMaxChoices;

  @Option(
      names = "--llm-queue-per-key",
      description =
          "Requests one API key (with --auth off: all callers together) may hold in a language model's queue; one"
              + " more from it is answered 429 with Retry-After while other keys are admitted (default: half of"
              + " --llm-queue, rounded up).")
  Integer llmQueuePerKey;

  @Option(
      names = "--llm-max-tokens",
      defaultValue = "0",
      description =
          "The most tokens a request may ask to generate (max_tokens); more is answered 400 naming the cap; 0 is"
              + " --llm-context (default: ${DEFAULT-VALUE}).")
  int llmMaxTokens;

  @Option(
      names = "--llm-max-prompt-bytes",
      defaultValue = "0",
      description =
          "The longest prompt in UTF-8 bytes, refused with 400 before it is queued or tokenised; 0 is 64 bytes per"
              + " token of --llm-context (default: ${DEFAULT-VALUE}).")
  int llmMaxPromptBytes;

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
    LlmConfig c =
        new LlmConfig(llmContext, llmSlots, llmThreads, llmQueue, llmDeadline)
            .withLimits(llmMaxTokens, llmMaxPromptBytes)
            .withJson(new JsonLimits(schemaBytes, schemaDepth, jsonString, jsonItems))
            .withMaxChoices(llmMaxChoices)
            .withIsolation(isolation);
    return llmQueuePerKey == null ? c : c.withQueuePerKey(llmQueuePerKey);
  }
}
