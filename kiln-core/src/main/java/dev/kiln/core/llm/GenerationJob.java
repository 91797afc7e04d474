package dev.kiln.core.llm;

import dev.kiln.core.error.KilnException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chat or completion request on its model's slot thread: templates the prompt, starts the generation and holds the
 * slot until the engine ends it; charges its tokens when it ends. The caller's sink hears exactly one end.
 */
final class GenerationJob extends SlotPool.Job {
  private final ServedLanguageModel model;
  private final Prompt prompt;
  private final Generation generation;

  /** Who is charged when it ends; empty for a choice of several, which its {@link Choices} charges. */
  private final Optional<String> principal;

  private final TokenSink sink;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final CountDownLatch engineDone = new CountDownLatch(1);
  private volatile LanguageModel.Handle engine;

  GenerationJob(ServedLanguageModel model, Prompt prompt, Generation generation, String principal, TokenSink sink) {
    this(model, prompt, generation, Optional.of(principal), sink);
  }

  /** A choice of several: {@code sink} charges. */
  GenerationJob(ServedLanguageModel model, Prompt prompt, Generation generation, TokenSink sink) {
    this(model, prompt, generation, Optional.empty(), sink);
  }

  private GenerationJob(
      ServedLanguageModel model, Prompt prompt, Generation generation, Optional<String> principal, TokenSink sink) {
    this.model = model;
    this.prompt = prompt;
    this.generation = generation;
    this.principal = principal;
    this.sink = sink;
  }

  @Override
  void work() {
    try {
      String text =
          switch (prompt) {
            case Prompt.Text t -> t.text();
            case Prompt.Chat c -> model.applyChatTemplate(c.messages(), c.tools());
          };
      checkFits(text);
      engine = model.generate(generation.withPrompt(text), new Ending());
    } catch (RuntimeException e) {
      skip(Optional.of(KilnException.from(e)));
      return;
    }
    if (cancelled()) {
      engine.cancel(); // cancelled while the template ran or the generation started
    }
    sink.started();
    try {
      engineDone.await();
    } catch (InterruptedException e) {
      // Only a forced shutdown interrupts a slot thread: stop decoding, the engine ends the sink.
      engine.cancel();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Refuses a prompt the context cannot hold before the engine sees it, naming both numbers, whatever the engine checks
   * itself. The count is the tokenizer's without the engine's own additions (a BOS token), so the engine's check stays
   * the exact one; the second tokenising is cheap beside generating (BENCHMARKS.md, language-model fairness).
   */
  private void checkFits(String text) {
    int tokens = model.countTokens(text);
    int context = model.contextLength();
    if (tokens >= context) {
      throw KilnException.invalid(
          "prompt: " + tokens + " tokens (expected: fewer than " + context + ", the model's context length)");
    }
  }

  @Override
  void skip(Optional<KilnException> why) {
    if (ended.compareAndSet(false, true)) {
      why.ifPresentOrElse(sink::failed, () -> sink.done(FinishReason.CANCELLED, 0, 0));
    }
  }

  @Override
  void stop() {
    LanguageModel.Handle h = engine;
    if (h != null) {
      h.cancel();
    }
  }

  /** The engine's end of the generation: charges what it cost, then tells the caller; frees the slot last. */
  private final class Ending implements TokenSink {
    @Override
    public void text(String piece) {
      sink.text(piece);
    }

    @Override
    public void tokens(String piece, List<TokenLogprob> logprobs) {
      sink.tokens(piece, logprobs);
    }

    @Override
    public void done(FinishReason reason, int promptTokens, int completionTokens) {
      try {
        if (ended.compareAndSet(false, true)) {
          principal.ifPresent(p -> model.charge(p, promptTokens + completionTokens));
          sink.done(reason, promptTokens, completionTokens);
        }
      } finally {
        engineDone.countDown();
      }
    }

    @Override
    public void failed(Throwable error) {
      try {
        if (ended.compareAndSet(false, true)) {
          sink.failed(error);
        }
      } finally {
        engineDone.countDown();
      }
    }
  }
}
