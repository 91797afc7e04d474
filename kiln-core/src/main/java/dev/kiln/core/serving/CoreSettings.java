package dev.kiln.core.serving;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits the core applies to every model.
 *
 * @param requestTimeout a request still queued after this long fails with DEADLINE_EXCEEDED
 * @param drainTimeout how long unloading (and shutdown) waits for in-flight requests
 * @param modelControl whether {@link InferenceCore#load} and {@link InferenceCore#unload} may be called through a
 *     protocol; when false they fail with FAILED_PRECONDITION on every protocol alike
 */
public record CoreSettings(Duration requestTimeout, Duration drainTimeout, boolean modelControl) {
  public CoreSettings {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  /** Settings with model control allowed. */
  public CoreSettings(Duration requestTimeout, Duration drainTimeout) {
    this(requestTimeout, drainTimeout, true);
  }

  public static CoreSettings defaults() {
    return new CoreSettings(Duration.ofSeconds(30), Duration.ofSeconds(30), true);
  }

  public CoreSettings withModelControl(boolean allowed) {
    return new CoreSettings(requestTimeout, drainTimeout, allowed);
  }
}
