package dev.kiln.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Runs every cell, unmeasured, in rounds until the JIT compilers are (nearly) done. Without it the first cells of a
 * run, and any mode with a lot of code (grpc-java with its shaded Netty), are measured while C2 still compiles on the
 * same two cores: on the reference machine a gRPC cell after 6 s of warm-up spent more CPU in JIT threads than in the
 * server, and after 20 s almost none.
 */
final class JitWarmup {
  /** A round that spends less than this share of its wall time compiling counts as quiet. */
  static final int QUIET_PERCENT = 10;

  private final BenchRun run;
  private final ClosedLoop unmeasured;
  private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();

  JitWarmup(BenchRun run, ClosedLoop unmeasured) {
    this.run = run;
    this.unmeasured = unmeasured;
  }

  void run(List<Cell> cells, int maxRounds) throws Exception {
    for (int round = 1; round <= maxRounds; round++) {
      long compileMillis = jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
      long start = System.nanoTime();
      for (Cell cell : cells) {
        CellResult r = run.run(cell, unmeasured);
        if (r.client().errors() > 0) {
          System.err.println("  " + cell + ": " + r.client().errors() + " error(s), first: " + r.client().firstError());
        }
      }
      long wallMillis = (System.nanoTime() - start) / 1_000_000;
      if (!jit.isCompilationTimeMonitoringSupported()) {
        return; // cannot tell when the JIT is done: one round has to do
      }
      long compiled = jit.getTotalCompilationTime() - compileMillis;
      System.err.printf(
          "JIT warm-up round %d: %d cells in %.1f s, %.1f s of it compiling%n",
          round, cells.size(), wallMillis / 1e3, compiled / 1e3);
      if (compiled * 100 < wallMillis * QUIET_PERCENT) {
        return;
      }
    }
  }
}
