package dev.kiln.training.sweep;

import java.time.Instant;

/**
 * A sweep's best trial put into service: {@code /v2/models/{model}/versions/{version}}.
 *
 * @param objective the trial's objective value, by which it was chosen
 */
public record SweepDeployment(
    long sweep, int trial, long job, double objective, String model, String version, Instant at) {}
