package dev.kiln.core.serving;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits the core applies to every model.
 *
 * @param requestTimeout a request still queued after this long fails with DEADLINE_EXCEEDED
 * @param drainTimeout how long unloading (and shutdown) waits for in-flight requests
 */
public record CoreSettings(Duration requestTimeout, Duration drainTimeout) {
  public CoreSettings {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  public static CoreSettings defaults() {
    return new CoreSettings(Duration.ofSeconds(30), Duration.ofSeconds(30));
  }
}
