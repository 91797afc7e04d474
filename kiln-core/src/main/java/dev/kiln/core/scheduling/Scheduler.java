package dev.kiln.core.scheduling;

import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.BatchingConfig;
import dev.kiln.core.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs requests for one model version on its engine instances.
 *
 * <p>One platform thread per instance takes work from a shared bounded queue. With batching on, a worker that takes a
 * request keeps taking compatible ones (same {@link BatchKey}) until the batch holds {@code maxBatchSize} rows, reaches
 * a preferred size (or passes the largest), or the first request has waited {@code maxQueueDelay}; it then stacks their
 * inputs along dimension 0, runs once, and slices each output back by the row offsets it recorded, so every caller gets
 * exactly its own rows. Incompatible requests stay queued in order for the next batch.
 *
 * <p>Hand-written rather than built on an executor: executors cannot look ahead in their queue for compatible requests,
 * which is the whole point of a batcher.
 */
public final class Scheduler implements AutoCloseable {
  private final String label;
  private final BatchingConfig config;
  private final ExecutionObserver observer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workAvailable = lock.newCondition();

  /** Wakes the worker forming a batch when a request arrives that may join it. */
  private final Condition batchGrowing = lock.newCondition();

  /**
   * Whether a worker is forming a batch. Only one does at a time: if idle workers also took new arrivals they would
   * split what should be one batch, and preferred sizes would wait out the delay.
   */
  private boolean forming;

  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private final List<Thread> workers = new ArrayList<>();
  private final int largestPreferred;

  /** Requests accepted and not yet executing, including those a worker holds while it forms a batch. */
  private final AtomicInteger waiting = new AtomicInteger();

  private boolean closed;

  public Scheduler(String label, List<ModelInstance> instances, BatchingConfig config, ExecutionObserver observer) {
    this.label = Objects.requireNonNull(label, "label");
    this.config = Objects.requireNonNull(config, "config");
    this.observer = Objects.requireNonNull(observer, "observer");
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("a scheduler needs at least one instance");
    }
    this.largestPreferred = config.preferredBatchSizes().stream().mapToInt(Integer::intValue).max().orElse(0);
    int i = 0;
    for (ModelInstance instance : instances) {
      Thread t =
          Thread.ofPlatform().daemon().name("kiln-exec-" + label + "-" + i++).unstarted(() -> workLoop(instance));
      workers.add(t);
    }
    workers.forEach(Thread::start);
  }

  /**
   * Queues a request.
   *
   * @param deadlineNanos {@link System#nanoTime()} after which the request is failed instead of run; use {@link
   *     Long#MAX_VALUE} for none
   * @return the requested outputs, completed on a worker thread
   */
  public CompletableFuture<Map<String, Tensor>> submit(
      Map<String, Tensor> inputs, Set<String> outputs, long deadlineNanos) {
    long rows = rowsOf(inputs);
    if (config.enabled() && rows > config.maxBatchSize()) {
      observer.onRejected();
      return CompletableFuture.failedFuture(
          KilnException.invalid("batch size " + rows + " exceeds the model's max-batch-size " + config.maxBatchSize()));
    }
    Work w =
        new Work(
            inputs,
            outputs,
            rows,
            config.enabled() ? BatchKey.of(inputs, outputs) : null,
            System.nanoTime(),
            deadlineNanos);
    lock.lock();
    try {
      if (closed) {
        observer.onRejected();
        return CompletableFuture.failedFuture(KilnException.unavailable("model " + label + " is unloading"));
      }
      if (queue.size() >= config.maxQueueSize()) {
        observer.onRejected();
        return CompletableFuture.failedFuture(
            KilnException.exhausted(
                "model " + label + " queue is full (" + config.maxQueueSize() + " requests waiting)"));
      }
      queue.addLast(w);
      waiting.incrementAndGet();
      (forming ? batchGrowing : workAvailable).signal();
    } finally {
      lock.unlock();
    }
    return w.result;
  }

  /** Requests accepted and not yet executing. */
  public int pending() {
    return waiting.get();
  }

  /** Requests queued and not yet taken into a batch: lets a test wait until a worker has seen an arrival. */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the workers once the queue is empty; requests still queued are failed as unavailable. */
  @Override
  public void close() {
    List<Work> dropped;
    lock.lock();
    try {
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
      workAvailable.signalAll();
      batchGrowing.signalAll();
    } finally {
      lock.unlock();
    }
    waiting.addAndGet(-dropped.size());
    dropped.forEach(w -> w.result.completeExceptionally(KilnException.unavailable("model " + label + " is unloading")));
    for (Thread t : workers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void workLoop(ModelInstance instance) {
    while (true) {
      List<Work> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        return;
      }
      if (batch.isEmpty()) {
        return;
      }
      execute(instance, batch);
    }
  }

  /** Blocks until there is work; returns an empty batch once closed and drained. */
  private List<Work> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() || forming) {
        if (closed && queue.isEmpty()) {
          return List.of();
        }
        workAvailable.await();
      }
      Work first = queue.pollFirst();
      List<Work> batch = new ArrayList<>(config.enabled() ? 8 : 1);
      batch.add(first);
      if (!config.enabled()) {
        return batch;
      }
      forming = true;
      try {
        growBatch(first, batch);
      } finally {
        forming = false;
      }
      if (!queue.isEmpty()) {
        workAvailable.signal(); // leftovers: let an idle worker start on them now
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /** Gathers compatible requests until the batch is full, reaches a preferred size, or the delay is over. */
  private void growBatch(Work first, List<Work> batch) throws InterruptedException {
    long rows = first.rows;
    long deadline = first.enqueuedNanos + config.maxQueueDelay().toNanos();
    while (true) {
      rows = gatherCompatible(first.key, batch, rows);
      if (rows >= config.maxBatchSize()
          || (largestPreferred > 0 && rows >= largestPreferred)
          || config.preferredBatchSizes().contains((int) rows)
          || closed) {
        return;
      }
      long wait = deadline - System.nanoTime();
      if (wait <= 0) {
        return;
      }
      batchGrowing.awaitNanos(wait);
    }
  }

  private long gatherCompatible(BatchKey key, List<Work> batch, long rows) {
    Iterator<Work> it = queue.iterator();
    while (it.hasNext() && rows < config.maxBatchSize()) {
      Work w = it.next();
      if (w.key.equals(key) && rows + w.rows <= config.maxBatchSize()) {
        it.remove();
        batch.add(w);
        rows += w.rows;
      }
    }
    return rows;
  }

  private void execute(ModelInstance instance, List<Work> batch) {
    waiting.addAndGet(-batch.size());
    long start = System.nanoTime();
    List<Work> live = new ArrayList<>(batch.size());
    for (Work w : batch) {
      if (start > w.deadlineNanos) {
        w.result.completeExceptionally(
            new KilnException(
                ErrorKind.DEADLINE_EXCEEDED, "request timed out after waiting in the queue of model " + label));
        observer.onRequest(start - w.enqueuedNanos, 0, false);
      } else {
        live.add(w);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    long rows = 0;
    for (Work w : live) {
      rows += w.rows;
    }
    List<Map<String, Tensor>> results;
    Throwable failure = null;
    try {
      results =
          live.size() == 1
              ? List.of(instance.run(live.get(0).inputs, live.get(0).outputs))
              : StackedRun.run(instance, live, rows);
    } catch (Throwable t) {
      results = null;
      failure = t;
    }
    long compute = System.nanoTime() - start;
    observer.onExecution(live.size(), rows, compute, failure == null);
    for (int i = 0; i < live.size(); i++) {
      Work w = live.get(i);
      observer.onRequest(start - w.enqueuedNanos, compute, failure == null);
      if (failure != null) {
        w.result.completeExceptionally(
            failure instanceof KilnException k
                ? k
                : new KilnException(ErrorKind.INTERNAL, "model " + label + " failed to run", failure));
      } else {
        w.result.complete(results.get(i));
      }
    }
  }

  private static long rowsOf(Map<String, Tensor> inputs) {
    long rows = -1;
    for (Tensor t : inputs.values()) {
      rows = Math.max(rows, t.rows());
    }
    return Math.max(rows, 1);
  }
}
