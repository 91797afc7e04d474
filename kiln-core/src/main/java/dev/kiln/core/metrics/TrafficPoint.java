package dev.kiln.core.metrics;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Traffic over one sampling interval of {@link RecentTraffic}: of one model, or of several added up.
 *
 * @param end when the interval ended (when it was sampled)
 * @param requests requests finished in it, failed ones included
 * @param requestsPerSecond {@code requests} over the interval's length
 * @param errorRate failed requests over {@code requests}; 0 without requests
 * @param p50Ms median latency in milliseconds, queue plus compute for tensor models, arrival to last token for language
 *     models; null when no request was timed
 * @param p95Ms the 95th percentile, as {@code p50Ms}
 */
public record TrafficPoint(
    Instant end, long requests, double requestsPerSecond, double errorRate, Double p50Ms, Double p95Ms) {

  /** {@code samples} (of one interval, one per model) as one point. */
  static TrafficPoint of(Instant end, List<TrafficSample> samples) {
    long requests = 0;
    long errors = 0;
    double seconds = 0;
    for (TrafficSample s : samples) {
      requests += s.requests();
      errors += s.errors();
      seconds = Math.max(seconds, s.seconds());
    }
    return new TrafficPoint(
        end,
        requests,
        seconds > 0 ? requests / seconds : 0,
        requests > 0 ? (double) errors / requests : 0,
        millis(TrafficSample.quantile(samples, 0.5)),
        millis(TrafficSample.quantile(samples, 0.95)));
  }

  private static Double millis(OptionalDouble seconds) {
    return seconds.isPresent() ? seconds.getAsDouble() * 1000 : null;
  }
}
