package dev.kiln.core.llm;

import java.util.List;

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

  @Override
  public Handle generate(Generation generation, TokenSink sink) {
    long start = System.nanoTime();
    // Requests beyond the engine's slots wait for one; the split is what the engine's scheduler does too.
    int inFlight = metrics.inFlight().incrementAndGet();
    if (inFlight > slots) {
      metrics.waiting().incrementAndGet();
    }
    boolean[] counted = {inFlight > slots};
    return model.generate(generation, new TokenSink() {
      private long last;

      @Override
      public void text(String piece) {
        long now = System.nanoTime();
        if (last == 0) {
          metrics.firstToken(now - start);
          if (counted[0]) {
            metrics.waiting().decrementAndGet();
            counted[0] = false;
          }
        } else {
          metrics.perToken(now - last);
        }
        last = now;
        sink.text(piece);
      }

      @Override
      public void done(FinishReason reason, int promptTokens, int completionTokens) {
        end();
        metrics.finished(System.nanoTime() - start, promptTokens, completionTokens);
        sink.done(reason, promptTokens, completionTokens);
      }

      @Override
      public void failed(Throwable error) {
        end();
        sink.failed(error);
      }

      private void end() {
        metrics.inFlight().decrementAndGet();
        if (counted[0]) {
          metrics.waiting().decrementAndGet();
          counted[0] = false;
        }
      }
    });
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
