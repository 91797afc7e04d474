package dev.kiln.bench.soak;

import dev.kiln.bench.MachineInfo;
import java.io.PrintStream;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The Markdown report: one section for the soak, one for the storm; each says which targets it met. */
final class SoakReport {
  private static final long GROWTH_LIMIT_MIB = 100;

  private final PrintStream out;

  SoakReport(PrintStream out) {
    this.out = out;
  }

  void header() {
    out.println("Run: " + String.join("; ", MachineInfo.describe()));
    out.println();
  }

  /**
   * @return whether the soak met its targets: no failed call, RSS growth under 100 MiB, no server exit
   */
  boolean soak(Soak.Result r) {
    long growth = r.rssEndAfterGcMiB() - r.rssWarmAfterGcMiB();
    boolean passed = r.failed() == 0 && growth < GROWTH_LIMIT_MIB && r.serverAlive() && r.healthFailures() == 0;
    out.printf(
        "#### Soak (T13): %s at concurrency %d, %.0f%% of calls by killed clients%n%n",
        r.duration(), r.concurrency(), r.killPercent());
    out.println(
        "| calls ok (JSON / binary / gRPC) | failed | killed clients | RSS after warm-up | RSS at end "
            + "| growth after GC | max RSS | heap after GC, warm-up → end | live threads, warm-up → end "
            + "| health failures | server exits "
            + "| verdict |");
    out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    out.printf(
        "| %,d (%,d / %,d / %,d) | %d | %,d | %s | %s | %+d MiB | %d MiB | %d → %d MiB "
            + "| %.0f → %.0f | %d | %d | %s |%n%n",
        r.okTotal(),
        r.ok().get(Soak.Protocol.REST_JSON),
        r.ok().get(Soak.Protocol.REST_BINARY),
        r.ok().get(Soak.Protocol.GRPC),
        r.failed(),
        r.killed(),
        rss(r.rssWarmMiB(), r.rssWarmAfterGcMiB()),
        rss(r.rssEndMiB(), r.rssEndAfterGcMiB()),
        growth,
        r.rssMaxMiB(),
        r.heapWarmMiB(),
        r.heapEndMiB(),
        r.threadsWarm(),
        r.threadsEnd(),
        r.healthFailures(),
        r.serverAlive() ? 0 : 1,
        passed ? "pass" : "FAIL");
    out.printf(
        "JVM's account, warm-up → end: heap committed %d → %d MiB, non-heap used %d → %d MiB, "
            + "direct buffers %d → %d MiB.%n%n",
        r.warm().heapCommitted(),
        r.end().heapCommitted(),
        r.warm().nonHeap(),
        r.end().nonHeap(),
        r.warm().direct(),
        r.end().direct());
    out.println("| minute | calls ok | p50 ms | p99 ms | max ms | max RSS MiB |");
    out.println("|---|---|---|---|---|---|");
    for (LatencyByMinute.Minute m : r.minutes()) {
      String rss = m.index() <= r.rssPerMinute().size() ? Long.toString(r.rssPerMinute().get(m.index() - 1)) : "";
      out.printf(
          "| %d | %,d | %.2f | %.2f | %.1f | %s |%n", m.index(), m.calls(), m.p50Ms(), m.p99Ms(), m.maxMs(), rss);
    }
    out.println();
    for (String e : r.firstErrors()) {
      out.println("- failed: `" + e.replace('\n', ' ').replace("`", "'") + "`");
    }
    return passed;
  }

  /**
   * @return whether both waves settled within 1 s, threads came back, and a normal request then succeeded
   */
  boolean storm(
      int atOnce,
      int maxTokens,
      int deadlineMs,
      int margin,
      Storm.Wave streams,
      Storm.Wave unary,
      boolean serverAlive,
      Map<String, Integer> threadsBefore) {
    out.printf(
        "#### Disconnect storm (T12): %d at a time; streams with max_tokens %d; unary deadline %d ms%n%n",
        atOnce, maxTokens, deadlineMs);
    out.println(
        "| wave | clients | seconds | how they ended | gauges 0 after | running / waiting / queued at 1 s "
            + "| live threads: before → at 1 s → settled (ms) | normal request after | verdict |");
    out.println("|---|---|---|---|---|---|---|---|---|");
    boolean passed = serverAlive;
    for (Storm.Wave w : new Storm.Wave[] {streams, unary}) {
      Settle s = w.settle();
      boolean ok = s.idleWithin1s() && s.msToThreads() >= 0 && w.normalStatus() == 200;
      passed &= ok;
      out.printf(
          "| %s | %,d | %d | %s | %s | %.0f / %.0f / %.0f | %.0f → %.0f → %.0f (%s) | %d | %s |%n",
          w.name(),
          w.clients(),
          w.seconds(),
          outcomes(w.outcomes()),
          s.msToIdle() < 0 ? "not within the wait" : s.msToIdle() + " ms",
          s.runningAt1s(),
          s.waitingAt1s(),
          s.pendingAt1s(),
          s.threadsBase(),
          s.threadsAt1s(),
          s.threadsSettled(),
          s.msToThreads() < 0 ? "not back" : s.msToThreads() + " ms",
          w.normalStatus(),
          ok ? "pass" : "FAIL");
    }
    out.println();
    out.printf(
        "Threads are back when at most %d above the baseline. Server still running: %s.%n%n",
        margin, serverAlive ? "yes" : "NO");
    out.println(
        "Thread groups that changed (jcmd Thread.print as the last client went, digits as #): before → "
            + "after the streams → after the unary wave:");
    out.println();
    Set<String> names = new TreeSet<>(threadsBefore.keySet());
    names.addAll(streams.threadsAfter().keySet());
    names.addAll(unary.threadsAfter().keySet());
    for (String n : names) {
      int b = threadsBefore.getOrDefault(n, 0);
      int s1 = streams.threadsAfter().getOrDefault(n, 0);
      int s2 = unary.threadsAfter().getOrDefault(n, 0);
      if (s1 != b || s2 != b) {
        out.printf("- `%s`: %d → %d → %d%n", n, b, s1, s2);
      }
    }
    out.println();
    return passed;
  }

  /** RSS as sampled under load, and right after a full GC. */
  private static String rss(long underLoad, long afterGc) {
    return underLoad + " MiB (" + afterGc + " after GC)";
  }

  void retries(int n) {
    if (n > 0) {
      out.println(
          "The server JVM died while starting "
              + n
              + " time(s) before this run's server came up "
              + "(see server.log); started again.");
      out.println();
    }
  }

  private static String outcomes(Map<String, Integer> o) {
    StringBuilder b = new StringBuilder();
    o.forEach((k, v) -> b.append(b.isEmpty() ? "" : "; ").append(k).append(' ').append(String.format("%,d", v)));
    return b.toString();
  }
}
