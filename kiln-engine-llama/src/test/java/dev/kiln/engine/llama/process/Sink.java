package dev.kiln.engine.llama.process;

import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.TokenSink;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Keeps a generation's pieces and how it ended: done with a reason, or failed. */
final class Sink implements TokenSink {
  record End(String text, FinishReason reason, int completionTokens, Throwable error) {}

  final List<String> pieces = new CopyOnWriteArrayList<>();
  final CountDownLatch firstPiece = new CountDownLatch(1);
  private final CompletableFuture<End> end = new CompletableFuture<>();

  @Override
  public void text(String piece) {
    pieces.add(piece);
    firstPiece.countDown();
  }

  @Override
  public void done(FinishReason reason, int promptTokens, int completionTokens) {
    end.complete(new End(String.join("", pieces), reason, completionTokens, null));
  }

  @Override
  public void failed(Throwable error) {
    end.complete(new End(String.join("", pieces), null, 0, error));
  }

  End await() throws Exception {
    return end.get(60, TimeUnit.SECONDS);
  }

  void awaitFirstPiece() throws InterruptedException {
    if (!firstPiece.await(60, TimeUnit.SECONDS)) {
      throw new AssertionError("no piece within 60 s");
    }
  }
}
