package dev.kiln.bench.soak;

/**
 * How the server came back to rest after a storm's last client went away: the language-model and inference queue gauges
 * at 1 s and the time until all were 0, and live threads against the baseline taken before the storm.
 */
record Settle(
    long msToIdle,
    double runningAt1s,
    double waitingAt1s,
    double pendingAt1s,
    double threadsBase,
    double threadsAt1s,
    double threadsSettled,
    long msToThreads) {
  static final String RUNNING = "kiln_llm_num_requests_running";
  static final String WAITING = "kiln_llm_num_requests_waiting";
  static final String PENDING = "kiln_inference_pending_requests";
  static final String THREADS = "jvm_threads_live_threads";

  /**
   * Polls {@code /metrics} every 50 ms from {@code sinceNanos} until the gauges are 0 and the threads back, or {@code
   * maxMs} has passed.
   */
  static Settle watch(ServerProcess server, long sinceNanos, double threadsBase, int threadMargin, long maxMs)
      throws Exception {
    long msToIdle = -1;
    long msToThreads = -1;
    double[] at1s = null;
    double threads = -1;
    while (true) {
      PromText m = server.metrics();
      long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
      double running = m.sum(RUNNING);
      double waiting = m.sum(WAITING);
      double pending = m.sum(PENDING);
      threads = m.sum(THREADS);
      if (msToIdle < 0 && running == 0 && waiting == 0 && pending == 0) {
        msToIdle = ms;
      }
      if (msToThreads < 0 && threads <= threadsBase + threadMargin) {
        msToThreads = ms;
      }
      if (at1s == null && ms >= 1000) {
        at1s = new double[] {running, waiting, pending, threads};
      }
      if ((at1s != null && msToIdle >= 0 && msToThreads >= 0) || ms > maxMs) {
        break;
      }
      Thread.sleep(ms < 2000 ? 50 : 500);
    }
    if (at1s == null) {
      at1s = new double[] {-1, -1, -1, -1};
    }
    return new Settle(msToIdle, at1s[0], at1s[1], at1s[2], threadsBase, at1s[3], threads, msToThreads);
  }

  boolean idleWithin1s() {
    return msToIdle >= 0 && msToIdle <= 1000;
  }
}
