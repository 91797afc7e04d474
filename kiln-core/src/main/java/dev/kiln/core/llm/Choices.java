package dev.kiln.core.llm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The choices of one request: one {@link TokenSink} per choice, merged into the caller's {@link ChoiceSink}. When the
 * last choice ends it charges the prompt once (every choice reports the same prompt) plus every choice's completion
 * tokens, then ends the caller's sink; a failure of one cancels the others and is reported once.
 */
final class Choices implements LanguageModel.Handle {
  private final ChoiceSink sink;
  private final LongConsumer charge;
  private final List<LanguageModel.Handle> jobs = new CopyOnWriteArrayList<>();
  private final AtomicInteger open;
  private final AtomicInteger promptTokens = new AtomicInteger();
  private final AtomicLong completionTokens = new AtomicLong();
  private final AtomicBoolean started = new AtomicBoolean();

  /** Failed or refused: the caller's sink has heard its end (or the caller was told by an exception). */
  private final AtomicBoolean over = new AtomicBoolean();

  Choices(int n, ChoiceSink sink, LongConsumer charge) {
    this.sink = sink;
    this.charge = charge;
    this.open = new AtomicInteger(n);
  }

  void add(LanguageModel.Handle job) {
    jobs.add(job);
    if (over.get()) {
      job.cancel(); // another choice failed while this one was being queued
    }
  }

  @Override
  public void cancel() {
    jobs.forEach(LanguageModel.Handle::cancel);
  }

  TokenSink sink(int index) {
    return new TokenSink() {
      @Override
      public void started() {
        if (started.compareAndSet(false, true)) {
          sink.started();
        }
      }

      @Override
      public void text(String piece) {
        tokens(piece, List.of());
      }

      @Override
      public void tokens(String piece, List<TokenLogprob> logprobs) {
        if (!over.get()) { // after a failure the caller's answer has ended: the cancelled choices' last pieces go
          sink.text(index, piece, logprobs);
        }
      }

      @Override
      public void done(FinishReason reason, int prompt, int completion) {
        promptTokens.accumulateAndGet(prompt, Math::max);
        completionTokens.addAndGet(completion);
        if (!over.get()) {
          sink.choiceDone(index, reason, completion);
        }
        ended();
      }

      @Override
      public void failed(Throwable error) {
        if (over.compareAndSet(false, true)) {
          cancel();
          sink.failed(error);
        }
        ended();
      }
    };
  }

  private void ended() {
    if (open.decrementAndGet() == 0) {
      long tokens = promptTokens.get() + completionTokens.get();
      if (tokens > 0) { // nothing reached the engine: nothing to charge, as for a single request
        charge.accept(tokens);
      }
      if (!over.get()) {
        sink.done(promptTokens.get(), (int) completionTokens.get());
      }
    }
  }
}
