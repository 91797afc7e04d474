package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a spec describes: a layer stack, or one of the two classic models that need no layers. */
public enum ModelType {
  @JsonProperty("sequential")
  SEQUENTIAL,
  /** {@code y = x w + b}, trained with MSE: a Dense(1) with no activation. */
  @JsonProperty("linear_regression")
  LINEAR_REGRESSION,
  /** {@code p = sigmoid(x w + b)} (binary) or softmax over classes, trained with cross-entropy. */
  @JsonProperty("logistic_regression")
  LOGISTIC_REGRESSION
}
