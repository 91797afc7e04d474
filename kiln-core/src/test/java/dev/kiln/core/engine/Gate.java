package dev.kiln.core.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A barrier that fake model executions wait at until the test opens it, so a test can hold requests "in flight" and
 * know, without sleeping, when they got there.
 */
public final class Gate {
  private final Semaphore entered = new Semaphore(0);
  private final CountDownLatch open = new CountDownLatch(1);

  /** Called by the execution: announces its arrival, then waits (at most 10 s) for the gate to open. */
  public void pass() {
    entered.release();
    try {
      if (!open.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code n} more executions arrived at the gate within 5 seconds. */
  public boolean awaitEntered(int n) throws InterruptedException {
    return entered.tryAcquire(n, 5, TimeUnit.SECONDS);
  }

  public void open() {
    open.countDown();
  }
}
