package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What to do with a missing value ({@code ""}, {@code NA}, {@code NaN} or {@code ?}) in a feature column. The imputing
 * policies fit their fill on the training split only; categorical columns always take the mode. A missing label is an
 * error under every policy but {@link #DROP}.
 */
public enum MissingPolicy {
  /** Fail, naming the first missing row and column. */
  @JsonProperty("error")
  ERROR,
  /** Leave out every row with a missing value. */
  @JsonProperty("drop")
  DROP,
  @JsonProperty("mean")
  MEAN,
  @JsonProperty("median")
  MEDIAN,
  /** The most frequent value, numeric columns included. */
  @JsonProperty("mode")
  MODE;

  boolean imputes() {
    return this == MEAN || this == MEDIAN || this == MODE;
  }
}
