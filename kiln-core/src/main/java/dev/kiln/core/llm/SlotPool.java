package dev.kiln.core.llm;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One language model's requests: a bounded queue in front of {@code slots} platform threads (a generation blocks in
 * native code, which would pin a virtual thread's carrier). A request holds its thread from chat templating to its last
 * token, so at most {@code slots} generations reach the engine and the engine never queues; beyond the queue a request
 * is refused at once. Before, each generation had a thread of its own from an unbounded pool and 300 concurrent chats
 * all waited, up to 276 s, without one refusal (BENCHMARKS.md, language models under load).
 */
final class SlotPool {
  private static final Logger LOG = Logger.getLogger(SlotPool.class.getName());

  private final String model;
  private final ThreadPoolExecutor threads;
  private final Duration deadline;
  private final LlmMetrics metrics;
  private final Set<Job> running = ConcurrentHashMap.newKeySet();

  /** Admitted and not ended: queued plus running. Guarded by {@code this} for {@link #drain}'s wait. */
  private int admitted;

  private volatile boolean draining;

  SlotPool(String model, int slots, int queue, Duration deadline, LlmMetrics metrics) {
    this.model = model;
    this.deadline = deadline;
    this.metrics = metrics;
    BlockingQueue<Runnable> waiting = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
    threads =
        new ThreadPoolExecutor(
            slots,
            slots,
            0,
            TimeUnit.MILLISECONDS,
            waiting,
            Thread.ofPlatform().daemon().name("llm-" + model + "-", 0).factory());
  }

  /**
   * Queues {@code job}; it runs when a slot is free, or ends without running (cancelled, past its deadline, the model
   * unloaded).
   *
   * @throws KilnException RESOURCE_EXHAUSTED when every slot and queue place is taken, UNAVAILABLE while draining
   */
  void submit(Job job) {
    if (draining) {
      throw KilnException.unavailable("model '" + model + "' is unloading");
    }
    job.pool = this;
    job.expires = System.nanoTime() + deadline.toNanos();
    synchronized (this) {
      admitted++;
    }
    metrics.inFlight().incrementAndGet();
    metrics.waiting().incrementAndGet();
    try {
      threads.execute(job);
    } catch (RejectedExecutionException e) {
      leftQueue();
      ended();
      throw draining
          ? KilnException.unavailable("model '" + model + "' is unloading")
          : KilnException.exhausted("model '" + model + "' is busy: every slot and queue place is taken; retry");
    }
  }

  /**
   * Refuses new requests, lets admitted ones finish for up to {@code timeout}, then ends what is left: queued requests
   * fail with UNAVAILABLE, running generations are cancelled (they end with their tokens so far).
   */
  void drain(Duration timeout) {
    draining = true;
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      long left;
      while (admitted > 0 && (left = end - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    List<Runnable> queued = new ArrayList<>();
    threads.getQueue().drainTo(queued);
    for (Runnable r : queued) {
      Job j = (Job) r;
      leftQueue();
      ended();
      j.skip(Optional.of(KilnException.unavailable("model '" + model + "' was unloaded before a slot was free")));
    }
    running.forEach(Job::cancel);
    threads.shutdown();
    try {
      if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warning("language model " + model + ": generations did not end within 10 s of being cancelled");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void leftQueue() {
    metrics.waiting().decrementAndGet();
    metrics.inFlight().decrementAndGet();
  }

  private synchronized void ended() {
    if (--admitted == 0) {
      notifyAll();
    }
  }

  /**
   * One admitted request. It runs on a slot thread, or ends without running: cancelled while queued, found past its
   * deadline when its slot came, or dropped by a drain. Either way {@link #skip} or {@link #work} ends it, once.
   */
  abstract static class Job implements Runnable, LanguageModel.Handle {
    private SlotPool pool;
    private long expires;
    private volatile boolean cancelled;

    /** The request's work, on a slot thread; returns once it has ended (the slot is then free). */
    abstract void work();

    /** Ends the request without work: {@code why} empty for a cancellation. */
    abstract void skip(Optional<KilnException> why);

    /** Stops work in progress (called on any thread, once {@link #cancelled()} is true). */
    void stop() {}

    final boolean cancelled() {
      return cancelled;
    }

    @Override
    public final void run() {
      pool.leftQueue();
      pool.running.add(this);
      try {
        if (cancelled) {
          skip(Optional.empty());
        } else if (System.nanoTime() - expires > 0) {
          // Nothing is generated for a request whose caller has stopped waiting by now.
          skip(
              Optional.of(
                  new KilnException(
                      ErrorKind.DEADLINE_EXCEEDED,
                      "the request waited longer than "
                          + pool.deadline.toMillis()
                          + " ms for a slot of model '"
                          + pool.model
                          + "'")));
        } else {
          work();
        }
      } finally {
        pool.running.remove(this);
        pool.ended();
      }
    }

    /** Leaves the queue at once when still there (its place is free for another), else stops the work. */
    @Override
    public final void cancel() {
      cancelled = true;
      SlotPool p = pool;
      if (p != null && p.threads.remove(this)) {
        p.leftQueue();
        p.ended();
        skip(Optional.empty());
      } else {
        stop();
      }
    }
  }
}
