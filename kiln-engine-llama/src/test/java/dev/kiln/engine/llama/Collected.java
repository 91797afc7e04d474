package dev.kiln.engine.llama;

import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.TokenSink;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A sink that keeps what a generation produced, with when. */
class Collected implements TokenSink {
  record Result(
      String text,
      FinishReason reason,
      int promptTokens,
      int completionTokens,
      long startNanos,
      long endNanos,
      int pieces) {}

  final List<String> pieces = new CopyOnWriteArrayList<>();
  final CountDownLatch firstPiece = new CountDownLatch(1);
  private final CompletableFuture<Result> result = new CompletableFuture<>();

  /** Holds the engine's thread at the first piece until {@link #resume}; null: never holds. */
  private final CountDownLatch paused;

  private final long start = System.nanoTime();
  private volatile long firstNanos;

  Collected() {
    this(null);
  }

  private Collected(CountDownLatch paused) {
    this.paused = paused;
  }

  /**
   * A sink that keeps the generation at its first piece until {@link #resume}, so what the test does meanwhile (a
   * cancel) is seen before the next token whatever the machine's speed.
   */
  static Collected pausingAtFirstPiece() {
    return new Collected(new CountDownLatch(1));
  }

  void resume() {
    paused.countDown();
  }

  @Override
  public void text(String piece) {
    boolean first = pieces.isEmpty();
    if (first) {
      firstNanos = System.nanoTime();
    }
    pieces.add(piece);
    firstPiece.countDown();
    if (first && paused != null) {
      try {
        paused.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void done(FinishReason reason, int promptTokens, int completionTokens) {
    result.complete(
        new Result(
            String.join("", pieces),
            reason,
            promptTokens,
            completionTokens,
            firstNanos == 0 ? start : firstNanos,
            System.nanoTime(),
            pieces.size()));
  }

  @Override
  public void failed(Throwable error) {
    result.completeExceptionally(error);
  }

  Result await() throws Exception {
    return result.get(60, TimeUnit.SECONDS);
  }

  long startNanos() {
    return start;
  }
}
