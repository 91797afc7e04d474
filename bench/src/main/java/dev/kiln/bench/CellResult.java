package dev.kiln.bench;

import dev.kiln.core.serving.Statistics;

/** What one cell measured: the clients' view and, for server modes, the server's own statistics over the same cell. */
record CellResult(ClosedLoop.Measured client, ServerSide server) {
  Cell cell() {
    return client.cell();
  }

  double requestsPerSecond() {
    return client.requests() * 1e9 / client.windowNanos();
  }

  /** Process CPU (server and clients together) per successful request: what a request costs the machine. */
  double cpuMicrosPerRequest() {
    return client.requests() == 0 ? 0 : client.cpu().processNanos() / 1000.0 / client.requests();
  }

  double p50Micros() {
    return client.latency().getValueAtPercentile(50) / 1000.0;
  }

  double p99Micros() {
    return client.latency().getValueAtPercentile(99) / 1000.0;
  }

  /**
   * The server's statistics between two snapshots of one model version (warm-up included, since the server cannot tell
   * warm-up from measurement).
   *
   * @param rowsPerExecution mean rows per engine execution: 1 without batching, the mean batch with
   * @param queueMicros mean time a request waited in the scheduler's queue (includes the batching delay)
   * @param computeMicros mean engine time of the execution each request was part of
   */
  record ServerSide(double rowsPerExecution, double queueMicros, double computeMicros) {
    static final ServerSide NONE = new ServerSide(0, 0, 0);

    static ServerSide between(Statistics before, Statistics after) {
      long rows = after.inferenceCount() - before.inferenceCount();
      long executions = after.executionCount() - before.executionCount();
      return new ServerSide(
          ratio(rows, executions),
          ratio(after.queue().ns() - before.queue().ns(), after.queue().count() - before.queue().count()) / 1000,
          ratio(
                  after.computeInfer().ns() - before.computeInfer().ns(),
                  after.computeInfer().count() - before.computeInfer().count())
              / 1000);
    }

    private static double ratio(long a, long b) {
      return b == 0 ? 0 : a / (double) b;
    }
  }
}
