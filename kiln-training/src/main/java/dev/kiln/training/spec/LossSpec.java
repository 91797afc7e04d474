package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Training losses, named as in Keras. */
public enum LossSpec {
  @JsonProperty("mse")
  MSE,
  /** Labels are class indices. */
  @JsonProperty("sparse_categorical_crossentropy")
  SPARSE_CATEGORICAL_CROSSENTROPY,
  /** Labels are one-hot vectors (Kiln one-hot encodes class indices for it). */
  @JsonProperty("categorical_crossentropy")
  CATEGORICAL_CROSSENTROPY,
  /** One sigmoid output against 0/1 labels. */
  @JsonProperty("binary_crossentropy")
  BINARY_CROSSENTROPY;

  public boolean classification() {
    return this != MSE;
  }
}
