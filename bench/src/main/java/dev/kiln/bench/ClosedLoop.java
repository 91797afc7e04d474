package dev.kiln.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Runs one cell as a closed loop: each of N worker threads sends a request, waits for its answer and sends the next,
 * for a warm-up period and then a measured window. Only requests that start and finish inside the window count toward
 * throughput and latency; errors count over the whole cell.
 *
 * <p>Each worker decodes and checks the numbers of its first few answers (during warm-up) and checks the status and
 * size of every answer; decoding every JSON answer would make the client, not the server, the thing measured.
 */
final class ClosedLoop {
  private static final long HIGHEST_LATENCY_NANOS = Duration.ofSeconds(60).toNanos();
  private static final Duration STUCK_AFTER = Duration.ofSeconds(30);

  private final Workload workload;
  private final Duration warmup;
  private final Duration window;
  private final int verifyFirst;

  ClosedLoop(Workload workload, Duration warmup, Duration window, int verifyFirst) {
    this.workload = workload;
    this.warmup = warmup;
    this.window = window;
    this.verifyFirst = verifyFirst;
  }

  /** Opens one caller per worker (before the clock starts), runs the cell, and closes them. */
  Measured run(Cell cell, Caller.Source source) throws Exception {
    List<Worker> workers = new ArrayList<>();
    try {
      for (int i = 0; i < cell.concurrency(); i++) {
        workers.add(new Worker(i, source.open()));
      }
      long start = System.nanoTime();
      long measureFrom = start + warmup.toNanos();
      long end = measureFrom + window.toNanos();
      // Workers stay alive until the last CPU sample: a finished thread's CPU time can no longer be read.
      CountDownLatch sampled = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (Worker w : workers) {
        threads.add(
            Thread.ofPlatform()
                .name(CpuSample.CLIENT_THREAD_PREFIX + "worker-" + w.index)
                .start(() -> {
                  w.loop(measureFrom, end);
                  awaitQuietly(sampled);
                }));
      }
      CpuSample.Usage cpu;
      try {
        sleepUntil(measureFrom);
        MeasuredWindow marker = new MeasuredWindow();
        marker.cell = cell.toString();
        marker.begin();
        CpuSample before = CpuSample.take();
        sleepUntil(end);
        cpu = CpuSample.take().since(before);
        if (end > measureFrom) { // the unmeasured JIT warm-up pass has an empty window: nothing to mark
          marker.commit();
        }
      } finally {
        sampled.countDown();
      }
      for (int i = 0; i < threads.size(); i++) {
        Thread t = threads.get(i);
        t.join(STUCK_AFTER);
        if (t.isAlive()) {
          // A call that never answers: interrupting ends a gRPC wait, closing ends a blocking socket read; the
          // worker counts either as an error.
          t.interrupt();
          workers.get(i).caller.close();
          t.join(STUCK_AFTER);
        }
      }
      return merge(cell, end - measureFrom, workers, cpu);
    } finally {
      workers.forEach(w -> w.caller.close());
    }
  }

  /** The client-side part of a cell's result; the server-side statistics are added by the caller. */
  record Measured(
      Cell cell,
      long windowNanos,
      long requests,
      long errors,
      String firstError,
      Histogram latency,
      CpuSample.Usage cpu) {}

  private static Measured merge(Cell cell, long windowNanos, List<Worker> workers, CpuSample.Usage cpu) {
    Histogram all = new Histogram(HIGHEST_LATENCY_NANOS, 3);
    long requests = 0;
    long errors = 0;
    String firstError = "";
    for (Worker w : workers) {
      all.add(w.latency);
      requests += w.measured;
      errors += w.errors;
      if (firstError.isEmpty() && w.firstError != null) {
        firstError = w.firstError;
      }
    }
    return new Measured(cell, windowNanos, requests, errors, firstError, all, cpu);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepUntil(long nanoTime) {
    for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  private final class Worker {
    final int index;
    final Caller caller;
    final Histogram latency = new Histogram(HIGHEST_LATENCY_NANOS, 3);
    long measured;
    long errors;
    String firstError;

    Worker(int index, Caller caller) {
      this.index = index;
      this.caller = caller;
    }

    void loop(long measureFrom, long end) {
      int rows = workload.rows().length;
      int row = (index * 7) % rows; // workers start at different rows so a batch carries different inputs
      long sent = 0;
      for (long t0 = System.nanoTime(); t0 < end && !Thread.currentThread().isInterrupted(); t0 = System.nanoTime()) {
        boolean verify = sent++ < verifyFirst;
        String failure;
        try {
          float[] y = caller.call(row, verify);
          failure = verify ? workload.mismatch(row, y) : null;
        } catch (Exception e) {
          failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        long t1 = System.nanoTime();
        if (failure != null) {
          errors++;
          firstError = firstError == null ? failure : firstError;
        } else if (t0 >= measureFrom && t1 <= end) {
          latency.recordValue(Math.min(t1 - t0, HIGHEST_LATENCY_NANOS));
          measured++;
        }
        row = row + 1 == rows ? 0 : row + 1;
      }
    }
  }
}
