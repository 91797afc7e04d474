package dev.kiln.core.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One model's traffic over one sampling interval.
 *
 * @param seconds the interval's length
 * @param bounds latency bucket upper bounds, seconds
 * @param inBucket requests per latency bucket, one more than {@code bounds} (the last: above every bound); empty when
 *     none were timed
 */
record TrafficSample(long requests, long errors, double seconds, double[] bounds, long[] inBucket) {
  static final TrafficSample NONE = new TrafficSample(0, 0, 0, new double[0], new long[0]);

  /**
   * The {@code q} quantile (0..1) of the latencies in {@code samples}, in seconds, interpolated linearly inside the
   * bucket it falls in (as Prometheus's {@code histogram_quantile} does): accurate to the bucket, whose bounds are
   * {@code InferenceMetrics}'s for tensor models and Micrometer's percentile buckets for language models. Buckets of
   * different layouts (a total over both kinds) are merged by their bounds. Empty when nothing was timed; a quantile
   * above every bound is the highest bound.
   */
  static OptionalDouble quantile(List<TrafficSample> samples, double q) {
    record Bucket(double lower, double upper, long count) {}
    List<Bucket> buckets = new ArrayList<>();
    long n = 0;
    for (TrafficSample s : samples) {
      for (int i = 0; i < s.inBucket.length; i++) {
        if (s.inBucket[i] > 0) {
          double lower = i == 0 ? 0 : s.bounds[i - 1];
          double upper = i < s.bounds.length ? s.bounds[i] : Double.POSITIVE_INFINITY;
          buckets.add(new Bucket(lower, upper, s.inBucket[i]));
          n += s.inBucket[i];
        }
      }
    }
    if (n == 0) {
      return OptionalDouble.empty();
    }
    buckets.sort(Comparator.comparingDouble(Bucket::upper));
    double rank = q * n;
    long seen = 0;
    for (Bucket b : buckets) {
      if (seen + b.count() >= rank) {
        if (Double.isInfinite(b.upper())) {
          return OptionalDouble.of(b.lower());
        }
        return OptionalDouble.of(b.lower() + (b.upper() - b.lower()) * (rank - seen) / b.count());
      }
      seen += b.count();
    }
    return OptionalDouble.of(buckets.getLast().lower());
  }
}
