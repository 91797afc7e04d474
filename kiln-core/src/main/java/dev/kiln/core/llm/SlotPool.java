package dev.kiln.core.llm;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

// Size: admission, the slot threads, cancelling and the drain share one lock and the counts it guards.
/**
 * One language model's requests: a bounded queue in front of {@code slots} platform threads (a generation blocks in
 * native code, which would pin a virtual thread's carrier). A request holds its thread from chat templating to its last
 * token, so at most {@code slots} generations reach the engine and the engine never queues; beyond the queue a request
 * is refused at once. Before, each generation had a thread of its own from an unbounded pool and 300 concurrent chats
 * all waited, up to 276 s, without one refusal (BENCHMARKS.md, language models under load).
 *
 * <p>The queue is shared fairly between caller keys ({@link KeyQueues}: one sub-queue per key, served round-robin), and
 * a key may hold at most {@code perKey} queue places, so one key's flood neither delays another key's request by more
 * than a turn nor takes every place (BENCHMARKS.md, language-model fairness). A first-come queue served a key's single
 * chat after the whole flood before it.
 */
final class SlotPool {
  private static final Logger LOG = Logger.getLogger(SlotPool.class.getName());

  private final String model;
  private final int slots;
  private final int queue;
  private final int perKey;
  private final Duration deadline;
  private final LlmMetrics metrics;
  private final Set<Job> running = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when a request is queued, or the pool stops. */
  private final Condition work = lock.newCondition();

  /** Signalled when nothing is admitted any more, for {@link #drain}. */
  private final Condition idle = lock.newCondition();

  // Guarded by lock.
  private final KeyQueues<Job> waiting = new KeyQueues<>();

  /** Requests given a free slot when they came, not yet taken by its thread: they never count as queued. */
  private final ArrayDeque<Job> handed = new ArrayDeque<>();

  /** Admitted and not ended: queued plus running. */
  private int admitted;

  /** Slots taken: requests handed over or running. */
  private int busy;

  private boolean stopped;

  /** Mean time a request holds a slot (exponentially weighted, nanoseconds): what a refused key is told to wait. */
  private long meanHold = TimeUnit.SECONDS.toNanos(1);

  private volatile boolean draining;

  /**
   * @param queue requests held beyond the slots, all keys together
   * @param perKey requests one key may hold beyond the slots; at least {@code queue} means no bound but the total
   */
  SlotPool(String model, int slots, int queue, int perKey, Duration deadline, LlmMetrics metrics) {
    this.model = model;
    this.slots = slots;
    this.queue = queue;
    this.perKey = perKey;
    this.deadline = deadline;
    this.metrics = metrics;
    for (int i = 0; i < slots; i++) {
      threads.add(Thread.ofPlatform().daemon().name("llm-" + model + "-" + i).start(this::serve));
    }
  }

  /**
   * Queues {@code job} as {@code key}'s; it runs when a slot is free and it is {@code key}'s turn, or ends without
   * running (cancelled, past its deadline, the model unloaded).
   *
   * @throws KilnException RESOURCE_EXHAUSTED when every slot and queue place is taken, RATE_LIMITED (with a
   *     retry-after) when {@code key} holds its share of the queue already, UNAVAILABLE while draining
   */
  void submit(Job job, String key) {
    submit(List.of(job), key);
  }

  /**
   * Queues the jobs of one request (its choices), all {@code key}'s, or none of them: each takes its own slot and its
   * own turn in the round. The per-key bound counts the jobs too, except that a key with nothing waiting may always
   * queue one whole request: a request of more choices than a key's share would otherwise never be admitted.
   *
   * @throws KilnException as {@link #submit(Job, String)}, for the request as a whole; INVALID_ARGUMENT when it has
   *     more jobs than slots and queue places together, which no wait would make room for
   */
  void submit(List<Job> jobs, String key) {
    long expires = System.nanoTime() + deadline.toNanos();
    for (Job job : jobs) {
      job.pool = this;
      job.key = key;
      job.expires = expires;
    }
    int n = jobs.size();
    lock.lock();
    try {
      if (draining) {
        throw KilnException.unavailable("model '" + model + "' is unloading");
      }
      if (n > slots + queue) {
        // Never admissible, however long the caller waits: a 400, not the retryable busy answer below.
        throw KilnException.invalid(
            "n="
                + n
                + " choices need as many slots and queue places; model '"
                + model
                + "' has "
                + (slots + queue)
                + " (--llm-slots "
                + slots
                + " + --llm-queue "
                + queue
                + ")");
      }
      if (admitted + n > slots + queue) {
        throw KilnException.exhausted("model '" + model + "' is busy: every slot and queue place is taken; retry");
      }
      int free = waiting.size() == 0 ? Math.min(n, slots - busy) : 0;
      int mine = waiting.waiting(key);
      if (n > free && mine + n - free > perKey && (mine > 0 || perKey == 0)) {
        // The caller's own share is used up, not the server: 429, as its rate limit would be.
        throw KilnException.rateLimited(
            n == 1
                ? "model '" + model + "': this key already has " + perKey + " requests waiting, as many as one key may"
                : "model '"
                    + model
                    + "': this key has "
                    + mine
                    + " requests waiting; this one's "
                    + n
                    + " choices would pass the "
                    + perKey
                    + " one key may hold",
            Duration.ofNanos(meanHold * Math.max(1, waiting.keys()) / slots));
      }
      for (int i = 0; i < n; i++) {
        Job job = jobs.get(i);
        admitted++;
        metrics.inFlight().incrementAndGet();
        metrics.waiting().incrementAndGet();
        if (i < free) {
          busy++;
          handed.addLast(job);
        } else {
          waiting.add(key, job);
        }
      }
      if (n == 1) {
        work.signal();
      } else {
        work.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** A slot thread: what was handed to it, else the next request in the round, until the pool stops. */
  private void serve() {
    Optional<Job> job = Optional.empty();
    long held = 0;
    while (true) {
      lock.lock();
      try {
        if (job.isPresent()) {
          busy--;
          meanHold += (held - meanHold) / 8;
        }
        job = next();
        if (job.isEmpty()) {
          return;
        }
      } finally {
        lock.unlock();
      }
      long start = System.nanoTime();
      try {
        job.get().run();
      } catch (RuntimeException e) { // a job's own failure: its slot serves on
        LOG.log(Level.WARNING, "language model " + model + ": a request failed outside its sink", e);
      }
      held = System.nanoTime() - start;
    }
  }

  /** Waits for a request to run (empty once the pool stops and none is left); holds the lock. */
  private Optional<Job> next() {
    while (true) {
      if (!handed.isEmpty()) {
        return Optional.of(handed.pollFirst());
      }
      if (busy < slots && waiting.size() > 0) {
        busy++;
        return waiting.next();
      }
      if (stopped) {
        return Optional.empty();
      }
      work.awaitUninterruptibly();
    }
  }

  /**
   * Refuses new requests, lets admitted ones finish for up to {@code timeout}, then ends what is left: queued requests
   * fail with UNAVAILABLE, running generations are cancelled (they end with their tokens so far).
   */
  void drain(Duration timeout) {
    List<Job> queued;
    lock.lock();
    try {
      draining = true;
      long left = timeout.toNanos();
      while (admitted > 0 && left > 0) {
        try {
          left = idle.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      queued = waiting.clear();
      queued.addAll(handed);
      busy -= handed.size();
      handed.clear();
    } finally {
      lock.unlock();
    }
    for (Job j : queued) {
      leftQueue();
      ended();
      j.skip(Optional.of(KilnException.unavailable("model '" + model + "' was unloaded before a slot was free")));
    }
    running.forEach(Job::cancel);
    lock.lock();
    try {
      stopped = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try {
      for (Thread t : threads) {
        if (!t.join(Duration.ofNanos(Math.max(1, end - System.nanoTime())))) {
          LOG.warning("language model " + model + ": generations did not end within 10 s of being cancelled");
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void leftQueue() {
    metrics.waiting().decrementAndGet();
    metrics.inFlight().decrementAndGet();
  }

  private void ended() {
    lock.lock();
    try {
      if (--admitted == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes {@code job} out of the queue; false when a slot has taken it already (or a drain did). */
  private boolean dequeue(Job job) {
    lock.lock();
    try {
      return waiting.remove(job.key, job);
    } finally {
      lock.unlock();
    }
  }

  /**
   * One admitted request. It runs on a slot thread, or ends without running: cancelled while queued, found past its
   * deadline when its slot came, or dropped by a drain. Either way {@link #skip} or {@link #work} ends it, once.
   */
  abstract static class Job implements LanguageModel.Handle {
    private SlotPool pool;
    private String key;
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

    private void run() {
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
      if (p != null && p.dequeue(this)) {
        p.leftQueue();
        p.ended();
        skip(Optional.empty());
      } else {
        stop();
      }
    }
  }
}
