package dev.kiln.training.job;

import java.time.Instant;

/** A trained model put into service: {@code /v2/models/{model}/versions/{version}}. */
public record Deployment(String model, String version, Instant at) {}
