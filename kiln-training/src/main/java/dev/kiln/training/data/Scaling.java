package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How numeric columns are scaled, with statistics from the training split. */
public enum Scaling {
  /** {@code (x - mean) / std}, population std; a constant column keeps std 1. */
  @JsonProperty("standard")
  STANDARD,
  /** {@code (x - min) / (max - min)}; a constant column keeps range 1. */
  @JsonProperty("minmax")
  MINMAX,
  @JsonProperty("none")
  NONE
}
