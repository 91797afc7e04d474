package dev.kiln.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of the whole machine, of this process and of each of its Java threads at one instant. Two samples give how
 * much of the machine a cell used; how that splits between the load generator's threads (named {@code bench-*}), each
 * server thread pool, and the JVM's own threads (JIT compilers, GC), since clients and server share one JVM and its
 * cores; and how much CPU other processes took meanwhile: on a shared machine that is the noise to watch.
 */
record CpuSample(long wallNanos, long machineBusyNanos, long processNanos, Map<Long, ThreadCpu> threads) {
  static final String CLIENT_THREAD_PREFIX = "bench-";

  /** Pool name for CPU the process used outside its Java threads: JIT compilers, GC, other JVM threads. */
  static final String JVM_INTERNAL = "JVM (JIT, GC, …)";

  /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every mainstream architecture. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  record ThreadCpu(String name, long nanos) {}

  /**
   * Set to {@code false} by the smoke tests: Temurin 25.0.3 crashed (SIGSEGV in {@code pthread_getcpuclockid}, from
   * {@code getThreadCpuTime(long[])}) when a thread exited while the bulk read ran, once in a CI run of the smoke test,
   * whose servers start and stop pools around it. Without it a sample has the machine's and the process's CPU only.
   */
  static final boolean PER_THREAD = Boolean.parseBoolean(System.getProperty("kiln.bench.threadCpu", "true"));

  static CpuSample take() {
    if (!PER_THREAD) {
      return new CpuSample(System.nanoTime(), readMachineBusyNanos(), OS.getProcessCpuTime(), Map.of());
    }
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids, 0);
    long[] cpu = THREADS.getThreadCpuTime(ids);
    Map<Long, ThreadCpu> threads = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] != null && cpu[i] >= 0) {
        threads.put(ids[i], new ThreadCpu(infos[i].getThreadName(), cpu[i]));
      }
    }
    return new CpuSample(System.nanoTime(), readMachineBusyNanos(), OS.getProcessCpuTime(), threads);
  }

  /** Busy CPU time of all cores since boot (everything but idle and iowait); -1 where /proc/stat is missing. */
  private static long readMachineBusyNanos() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
        busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]);
      }
      return busy * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * CPU used between {@code earlier} and this sample. Threads born in between count from zero; threads that died in
   * between are lost (the bench keeps its own alive until the last sample).
   */
  Usage since(CpuSample earlier) {
    Map<String, Long> byPool = new TreeMap<>();
    long client = 0;
    long javaThreads = 0;
    for (Map.Entry<Long, ThreadCpu> e : threads.entrySet()) {
      ThreadCpu before = earlier.threads.get(e.getKey());
      long used = e.getValue().nanos() - (before == null ? 0 : before.nanos());
      javaThreads += used;
      byPool.merge(pool(e.getValue().name()), used, Long::sum);
      if (e.getValue().name().startsWith(CLIENT_THREAD_PREFIX)) {
        client += used;
      }
    }
    long process = processNanos - earlier.processNanos;
    byPool.put(JVM_INTERNAL, Math.max(0, process - javaThreads));
    long others =
        machineBusyNanos < 0 || earlier.machineBusyNanos < 0
            ? 0
            : Math.max(0, machineBusyNanos - earlier.machineBusyNanos - process);
    return new Usage(wallNanos - earlier.wallNanos, process, client, others, byPool);
  }

  /** A thread's name without its index: "grpc-default-executor-3" → "grpc-default-executor-N". */
  static String pool(String thread) {
    return thread.replaceAll("\\d+", "N");
  }

  /**
   * CPU nanoseconds over a wall-clock interval.
   *
   * @param otherNanos what other processes on the machine used meanwhile
   * @param byPool this process's CPU by thread pool, plus {@link #JVM_INTERNAL}
   */
  record Usage(long wallNanos, long processNanos, long clientNanos, long otherNanos, Map<String, Long> byPool) {
    /** Average number of cores the process kept busy. */
    double coresBusy() {
      return wallNanos == 0 ? 0 : processNanos / (double) wallNanos;
    }

    /** Average number of cores other processes kept busy (0 on a quiet machine). */
    double otherCores() {
      return wallNanos == 0 ? 0 : otherNanos / (double) wallNanos;
    }

    /** The load generator's share of the process's CPU time, 0..1. */
    double clientShare() {
      return processNanos == 0 ? 0 : Math.min(1, clientNanos / (double) processNanos);
    }
  }
}
