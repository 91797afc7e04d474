package dev.kiln.bench.llm;

import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.TokenSink;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link LanguageModel} called directly in this JVM: {@code LlamaEngine}'s (the limit), or {@code ProcessEngine}'s
 * (llama.cpp in a child process, what isolation costs without HTTP).
 */
final class InProcessSide extends Side {
  private final LanguageModel model;
  private final Generation generation;

  InProcessSide(LanguageModel model, Generation generation, int maxStreams) {
    this("in-process", model, generation, maxStreams);
  }

  InProcessSide(String name, LanguageModel model, Generation generation, int maxStreams) {
    super(name, maxStreams);
    this.model = model;
    this.generation = generation;
  }

  @Override
  Trace stream(int index) throws Exception {
    CompletableFuture<Trace> result = new CompletableFuture<>();
    Trace.Recorder recorder = new Trace.Recorder(System.nanoTime(), generation.maxTokens());
    model.generate(
        generation,
        new TokenSink() {
          @Override
          public void text(String piece) {
            recorder.arrived(System.nanoTime());
          }

          @Override
          public void done(FinishReason reason, int promptTokens, int completionTokens) {
            result.complete(recorder.end(System.nanoTime(), completionTokens));
          }

          @Override
          public void failed(Throwable error) {
            result.completeExceptionally(error);
          }
        });
    return result.get();
  }
}
