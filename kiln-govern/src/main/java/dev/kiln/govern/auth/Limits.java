package dev.kiln.govern.auth;

/**
 * Request limits; null fields are unlimited.
 *
 * @param requestsPerMinute a fixed one-minute window
 * @param requestsPerDay a UTC calendar day; survives restarts (counted in the database)
 * @param tokensPerDay language-model tokens (prompt + completion) per UTC day
 */
public record Limits(Long requestsPerMinute, Long requestsPerDay, Long tokensPerDay) {
  public static final Limits NONE = new Limits(null, null, null);

  public boolean unlimited() {
    return requestsPerMinute == null && requestsPerDay == null && tokensPerDay == null;
  }
}
