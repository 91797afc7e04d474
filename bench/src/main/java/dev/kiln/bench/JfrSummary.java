package dev.kiln.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of a load run, one section per measured cell: where the CPU went, by thread (pool) and by
 * top frame, and which Kiln methods the samples pass through. Uses CPU-time samples ({@code jdk.CPUTimeSample}, JDK 25
 * on Linux), which also see threads running native code such as ONNX Runtime; falls back to {@code jdk.ExecutionSample}
 * plus {@code jdk.NativeMethodSample} on other JDKs.
 *
 * <p>Usage: {@code java -cp ... dev.kiln.bench.JfrSummary recording.jfr [top-n]}; {@code bench/profile} records and
 * summarises in one step.
 */
public final class JfrSummary {
  private static final Set<String> CPU_TIME = Set.of("jdk.CPUTimeSample");
  private static final Set<String> WALL = Set.of("jdk.ExecutionSample", "jdk.NativeMethodSample");

  private record Window(String cell, Instant start, Instant end) {}

  record Sample(Instant time, String thread, List<String> frames) {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary recording.jfr [top-n]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    List<Window> windows = new ArrayList<>();
    Map<String, List<Sample>> samples = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      String type = e.getEventType().getName();
      if (type.equals("dev.kiln.bench.MeasuredWindow")) {
        windows.add(new Window(e.getString("cell"), e.getStartTime(), e.getEndTime()));
      } else if ((CPU_TIME.contains(type) || WALL.contains(type)) && e.getStackTrace() != null) {
        samples
            .computeIfAbsent(CPU_TIME.contains(type) ? "cpu" : "wall", k -> new ArrayList<>())
            .add(new Sample(e.getStartTime(), threadName(e), frames(e)));
      }
    }
    boolean cpu = samples.containsKey("cpu");
    List<Sample> used = samples.getOrDefault(cpu ? "cpu" : "wall", List.of());
    System.out.println(
        "Samples: "
            + (cpu
                ? "jdk.CPUTimeSample (CPU time, Java and native)"
                : "jdk.ExecutionSample + jdk.NativeMethodSample (running Java + threads in native methods)"));
    if (windows.isEmpty()) {
      windows.add(new Window("whole recording", Instant.MIN, Instant.MAX));
    }
    for (Window w : windows) {
      List<Sample> in = used.stream().filter(s -> !s.time.isBefore(w.start) && !s.time.isAfter(w.end)).toList();
      System.out.println();
      System.out.println("### " + w.cell + " (" + in.size() + " samples)");
      print("thread (pool)", count(in, s -> Set.of(CpuSample.pool(s.thread))), in.size(), top);
      print("kind of work (by top frame)", count(in, s -> Set.of(kind(s))), in.size(), top);
      print("top frame", count(in, s -> Set.of(s.frames.isEmpty() ? "(no frames)" : s.frames.get(0))), in.size(), top);
      print("Kiln server methods on the stack (inclusive)", count(in, JfrSummary::kilnFrames), in.size(), top);
    }
  }

  private static String threadName(RecordedEvent e) {
    String field = e.hasField("eventThread") ? "eventThread" : "sampledThread";
    return e.getThread(field) == null ? "?" : e.getThread(field).getJavaName();
  }

  private static List<String> frames(RecordedEvent e) {
    List<String> out = new ArrayList<>();
    for (RecordedFrame f : e.getStackTrace().getFrames()) {
      out.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
    }
    return out;
  }

  /** Kiln's own server and engine methods, without the bench's frames and synthetic lambda frames. */
  private static Set<String> kilnFrames(Sample s) {
    Set<String> out = new HashSet<>();
    for (String f : s.frames) {
      if (f.startsWith("dev.kiln.")
          && !f.startsWith("dev.kiln.bench.")
          && !f.contains("lambda$")
          && !f.contains("$$Lambda")) {
        out.add(f);
      }
    }
    return out;
  }

  /** What a sample was doing, judged by its top frame: the split the BENCHMARKS.md analysis is about. */
  static String kind(Sample s) {
    String top = s.frames.isEmpty() ? "" : s.frames.get(0);
    if (top.startsWith("ai.onnxruntime.OrtSession.run")) {
      return "ONNX Runtime (native run)";
    }
    if (top.startsWith("sun.nio.ch.") || top.contains(".channel.unix.") || top.contains(".channel.epoll.Native")) {
      return "socket, epoll and wake-up system calls";
    }
    if (top.contains("allocateMemory")
        || top.contains("freeMemory")
        || top.startsWith("java.nio.Bits.")
        || top.startsWith("java.nio.ByteBuffer.allocateDirect")) {
      return "direct buffer allocation and release";
    }
    if (top.startsWith("jdk.internal.math.") || top.startsWith("com.fasterxml.jackson.")) {
      return "JSON parsing and number conversion";
    }
    if (top.startsWith("ai.onnxruntime.")) {
      return "ONNX Runtime Java binding";
    }
    if (top.startsWith("io.grpc.") || top.startsWith("com.google.protobuf.")) {
      return "grpc-java, shaded Netty and protobuf";
    }
    if (top.startsWith("io.netty.")) {
      return "Netty (REST)";
    }
    return "other Java (JDK, Kiln, bench)";
  }

  private static Map<String, Integer> count(List<Sample> in, Function<Sample, Set<String>> keys) {
    Map<String, Integer> counts = new HashMap<>();
    for (Sample s : in) {
      for (String k : keys.apply(s)) {
        counts.merge(k, 1, Integer::sum);
      }
    }
    Map<String, Integer> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private static void print(String title, Map<String, Integer> counts, int total, int top) {
    System.out.println();
    System.out.println("| " + title + " | samples | share |");
    System.out.println("|---|--:|--:|");
    counts.entrySet().stream()
        .limit(top)
        .forEach(e ->
            System.out.printf(
                "| %s | %d | %.1f%% |%n", e.getKey(), e.getValue(), total == 0 ? 0 : 100.0 * e.getValue() / total));
  }
}
