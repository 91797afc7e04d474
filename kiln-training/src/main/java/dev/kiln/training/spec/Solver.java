package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How {@code linear_regression} and {@code logistic_regression} are fitted. */
public enum Solver {
  /**
   * The default: fitted to the optimum in one go on the preprocessed features (least squares for linear regression,
   * L-BFGS to convergence for logistic regression); the optimizer, epochs and batch size are not used.
   */
  @JsonProperty("exact")
  EXACT,
  /** The spec's optimizer, epochs and batches, as for a sequential model. */
  @JsonProperty("gradient_descent")
  GRADIENT_DESCENT
}
