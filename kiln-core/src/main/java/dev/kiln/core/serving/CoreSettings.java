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
 * @param explainMaxSamples the most coalitions (Kernel SHAP) or patches (occlusion) one explanation may ask for
 */
public record CoreSettings(
    Duration requestTimeout,
    Duration drainTimeout,
    boolean modelControl,
    ColumnPolicies columnPolicies,
    int explainMaxSamples) {
  /** Enough coalitions to enumerate every one of 11 features, and a bounded cost per request otherwise. */
  public static final int DEFAULT_EXPLAIN_MAX_SAMPLES = 2048;

  public CoreSettings {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(columnPolicies, "columnPolicies");
    if (explainMaxSamples < 1) {
      throw new IllegalArgumentException("explainMaxSamples must be >= 1, got " + explainMaxSamples);
    }
  }

  /** Settings with the default bound on explanations. */
  public CoreSettings(
      Duration requestTimeout, Duration drainTimeout, boolean modelControl, ColumnPolicies columnPolicies) {
    this(requestTimeout, drainTimeout, modelControl, columnPolicies, DEFAULT_EXPLAIN_MAX_SAMPLES);
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
    return new CoreSettings(requestTimeout, drainTimeout, allowed, columnPolicies, explainMaxSamples);
  }

  public CoreSettings withColumnPolicies(ColumnPolicies policies) {
    return new CoreSettings(requestTimeout, drainTimeout, modelControl, policies, explainMaxSamples);
  }

  public CoreSettings withExplainMaxSamples(int max) {
    return new CoreSettings(requestTimeout, drainTimeout, modelControl, columnPolicies, max);
  }
}
