package dev.kiln.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One model's meters summed over its versions, as counted since they were registered: requests finished, those that
 * failed, and the latency histogram: requests timed, bucket upper bounds in seconds, and how many took at most each.
 */
record TrafficReading(long requests, long errors, long timed, double[] bounds, long[] atMost) {

  /** Every model with meters in {@code registry}: tensor models' and language models'. */
  static Map<String, TrafficReading> of(MeterRegistry registry) {
    Map<String, Builder> models = new HashMap<>();
    for (Counter c : registry.find(RecentTraffic.TENSOR_REQUESTS).counters()) {
      boolean failed = "failure".equals(c.getId().getTag("outcome"));
      count(models, c, failed);
    }
    for (Counter c : registry.find(RecentTraffic.LLM_REQUESTS).counters()) {
      count(models, c, "error".equals(c.getId().getTag("finished_reason")));
    }
    for (String name : new String[] {RecentTraffic.TENSOR_LATENCY, RecentTraffic.LLM_LATENCY}) {
      for (Timer t : registry.find(name).timers()) {
        String model = t.getId().getTag("model");
        if (model != null) {
          models.computeIfAbsent(model, m -> new Builder()).latency(t.count(), t.takeSnapshot().histogramCounts());
        }
      }
    }
    Map<String, TrafficReading> out = new HashMap<>();
    models.forEach((m, b) -> out.put(m, b.build()));
    return out;
  }

  private static void count(Map<String, Builder> models, Counter c, boolean failed) {
    String model = c.getId().getTag("model");
    if (model == null) {
      return;
    }
    Builder b = models.computeIfAbsent(model, m -> new Builder());
    long n = Math.round(c.count());
    b.requests += n;
    b.errors += failed ? n : 0;
  }

  /**
   * What happened between {@code before} and this reading: requests per latency bucket, the last one above every bound.
   * A meter that went (a version unloaded) counts as nothing happening, never as negative traffic.
   */
  TrafficSample since(TrafficReading before, double seconds) {
    long r = Math.max(0, requests - before.requests);
    long e = Math.min(r, Math.max(0, errors - before.errors));
    long t = timed - before.timed;
    if (t <= 0 || bounds.length == 0) {
      return new TrafficSample(r, e, seconds, bounds, new long[0]);
    }
    boolean sameBounds = Arrays.equals(bounds, before.bounds);
    long[] inBucket = new long[bounds.length + 1];
    long below = 0;
    for (int i = 0; i < bounds.length; i++) {
      long atMostNow = atMost[i] - (sameBounds ? before.atMost[i] : 0);
      inBucket[i] = Math.max(0, atMostNow - below);
      below = Math.max(below, atMostNow);
    }
    inBucket[bounds.length] = Math.max(0, t - below);
    return new TrafficSample(r, e, seconds, bounds, inBucket);
  }

  private static final class Builder {
    long requests;
    long errors;
    long timed;
    double[] bounds = new double[0];
    long[] atMost = new long[0];

    /** Micrometer's counts are cumulative: each bucket counts the requests at or below its bound. */
    void latency(long count, CountAtBucket[] buckets) {
      double[] b = new double[buckets.length];
      for (int i = 0; i < buckets.length; i++) {
        b[i] = buckets[i].bucket(TimeUnit.SECONDS);
      }
      if (bounds.length == 0) {
        bounds = b;
        atMost = new long[b.length];
      }
      if (Arrays.equals(bounds, b)) { // versions of one model share one layout; anything else is left out
        timed += count;
        for (int i = 0; i < buckets.length; i++) {
          atMost[i] += Math.round(buckets[i].count());
        }
      }
    }

    TrafficReading build() {
      return new TrafficReading(requests, errors, timed, bounds, atMost);
    }
  }
}
