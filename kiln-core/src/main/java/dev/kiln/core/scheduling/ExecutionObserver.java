package dev.kiln.core.scheduling;

/** Told about every execution and every request a scheduler finishes; feeds statistics and metrics. */
public interface ExecutionObserver {
  /** One engine execution carrying {@code requests} requests and {@code rows} rows in total. */
  void onExecution(int requests, long rows, long computeNanos, boolean success);

  /** One request finished: how long it queued, and how long the execution that carried it took. */
  void onRequest(long queueNanos, long computeNanos, boolean success);

  /** One request refused before it was queued: queue full, more rows than max-batch-size, or closed. */
  default void onRejected() {}

  /** An observer that tells both. */
  static ExecutionObserver both(ExecutionObserver a, ExecutionObserver b) {
    return new ExecutionObserver() {
      @Override
      public void onExecution(int requests, long rows, long computeNanos, boolean success) {
        a.onExecution(requests, rows, computeNanos, success);
        b.onExecution(requests, rows, computeNanos, success);
      }

      @Override
      public void onRequest(long queueNanos, long computeNanos, boolean success) {
        a.onRequest(queueNanos, computeNanos, success);
        b.onRequest(queueNanos, computeNanos, success);
      }

      @Override
      public void onRejected() {
        a.onRejected();
        b.onRejected();
      }
    };
  }

  ExecutionObserver NONE =
      new ExecutionObserver() {
        @Override
        public void onExecution(int requests, long rows, long computeNanos, boolean success) {}

        @Override
        public void onRequest(long queueNanos, long computeNanos, boolean success) {}
      };
}
