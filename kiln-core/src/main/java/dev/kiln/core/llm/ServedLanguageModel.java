package dev.kiln.core.llm;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** A language model with its metrics recorded around every generation. */
public final class ServedLanguageModel implements LanguageModel {
  private final LanguageModel model;
  private final LlmMetrics metrics;
  private final int slots;

  ServedLanguageModel(LanguageModel model, LlmMetrics metrics, int slots) {
    this.model = model;
    this.metrics = metrics;
    this.slots = slots;
  }

  @Override
  public String applyChatTemplate(List<ChatMessage> messages) {
    return model.applyChatTemplate(messages);
  }

  /**
   * Counts the generation as running (or waiting) from here until the engine ends it, or at once undoes that when
   * the engine refuses it (a prompt too long, a closed model): every path leaves the gauges as it found them.
   */
  @Override
  public Handle generate(Generation generation, TokenSink sink) {
    Measured measured = new Measured(sink);
    try {
      return model.generate(generation, measured);
    } catch (RuntimeException e) {
      measured.end();
      throw e;
    }
  }

  /** One generation's sink, recording its metrics; {@link #end()} runs once whatever calls it. */
  private final class Measured implements TokenSink {
    private final TokenSink sink;
    private final long start = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Still counted as waiting: it arrived with every slot taken and has not produced a token yet. */
    private final AtomicBoolean waiting;
    private long last;

    Measured(TokenSink sink) {
      this.sink = sink;
      // Requests beyond the engine's slots wait for one; the split is what the engine's scheduler does too.
      boolean queued = metrics.inFlight().incrementAndGet() > slots;
      if (queued) {
        metrics.waiting().incrementAndGet();
      }
      waiting = new AtomicBoolean(queued);
    }

    @Override
    public void text(String piece) {
      long now = System.nanoTime();
      if (last == 0) {
        metrics.firstToken(now - start);
        leaveWaiting();
      } else {
        metrics.perToken(now - last);
      }
      last = now;
      sink.text(piece);
    }

    @Override
    public void done(FinishReason reason, int promptTokens, int completionTokens) {
      if (end()) {
        metrics.finished(reason, System.nanoTime() - start, promptTokens, completionTokens);
      }
      sink.done(reason, promptTokens, completionTokens);
    }

    @Override
    public void failed(Throwable error) {
      if (end()) {
        metrics.failed();
      }
      sink.failed(error);
    }

    /** True the first time: an engine that reports a sink's own failure after {@code done} counts once. */
    boolean end() {
      if (!ended.compareAndSet(false, true)) {
        return false;
      }
      metrics.inFlight().decrementAndGet();
      leaveWaiting();
      return true;
    }

    private void leaveWaiting() {
      if (waiting.compareAndSet(true, false)) {
        metrics.waiting().decrementAndGet();
      }
    }
  }

  @Override
  public int countTokens(String text) {
    return model.countTokens(text);
  }

  @Override
  public List<float[]> embed(List<String> inputs) {
    return model.embed(inputs);
  }

  @Override
  public int contextLength() {
    return model.contextLength();
  }

  @Override
  public void close() {
    model.close();
  }
}
