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
 * @param columnPolicies what each version's named columns go through before the model (trained models' dataset
 *     policies)
 */
public record CoreSettings(
    Duration requestTimeout, Duration drainTimeout, boolean modelControl, ColumnPolicies columnPolicies) {
  public CoreSettings {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(columnPolicies, "columnPolicies");
  }

  /** Settings without column policies. */
  public CoreSettings(Duration requestTimeout, Duration drainTimeout, boolean modelControl) {
    this(requestTimeout, drainTimeout, modelControl, ColumnPolicies.NONE);
  }

  /** Settings with model control allowed. */
  public CoreSettings(Duration requestTimeout, Duration drainTimeout) {
    this(requestTimeout, drainTimeout, true);
  }

  public static CoreSettings defaults() {
    return new CoreSettings(Duration.ofSeconds(30), Duration.ofSeconds(30), true);
  }

  public CoreSettings withModelControl(boolean allowed) {
    return new CoreSettings(requestTimeout, drainTimeout, allowed, columnPolicies);
  }

  public CoreSettings withColumnPolicies(ColumnPolicies policies) {
    return new CoreSettings(requestTimeout, drainTimeout, modelControl, policies);
  }
}
