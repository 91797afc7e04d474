package dev.kiln.govern.usage;

import java.time.LocalDate;

/**
 * Usage of one model by one key on one UTC day.
 *
 * @param latencyMicros sum of request latencies, for the mean
 */
public record UsageRow(
    String keyId, String model, LocalDate day, long requests, long errors, long rows, long tokens, long latencyMicros) {
  public UsageRow plus(UsageRow o) {
    return new UsageRow(
        keyId,
        model,
        day,
        requests + o.requests,
        errors + o.errors,
        rows + o.rows,
        tokens + o.tokens,
        latencyMicros + o.latencyMicros);
  }
}
