package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Element-wise activations. */
public enum Activation {
  @JsonProperty("linear")
  LINEAR,
  @JsonProperty("relu")
  RELU,
  @JsonProperty("sigmoid")
  SIGMOID,
  @JsonProperty("tanh")
  TANH,
  @JsonProperty("softmax")
  SOFTMAX
}
