package dev.kiln.bench.soak;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.ConcurrentHistogram;

/** Latencies of successful calls, one histogram per minute of the run (microseconds, 3 significant digits). */
final class LatencyByMinute {
  /** One minute's share of the run. */
  record Minute(int index, long calls, double p50Ms, double p99Ms, double maxMs) {}

  private final long startNanos;
  private final ConcurrentHistogram[] minutes;

  LatencyByMinute(long startNanos, int minutes) {
    this.startNanos = startNanos;
    this.minutes = new ConcurrentHistogram[minutes + 1]; // a last, partial minute
    for (int i = 0; i < this.minutes.length; i++) {
      this.minutes[i] = new ConcurrentHistogram(60_000_000L, 3);
    }
  }

  void record(long sentNanos, long doneNanos) {
    int minute = (int) Math.min(minutes.length - 1, (sentNanos - startNanos) / 60_000_000_000L);
    minutes[minute].recordValue(Math.min(60_000_000L, Math.max(1, (doneNanos - sentNanos) / 1000)));
  }

  List<Minute> minutes() {
    List<Minute> out = new ArrayList<>();
    for (int i = 0; i < minutes.length; i++) {
      ConcurrentHistogram h = minutes[i];
      if (h.getTotalCount() > 0) {
        out.add(
            new Minute(
                i + 1,
                h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                h.getMaxValue() / 1000.0));
      }
    }
    return out;
  }
}
