package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a spec describes: a layer stack, or one of the classic models that need no layers. */
public enum ModelType {
  @JsonProperty("sequential")
  SEQUENTIAL,
  /** {@code y = x w + b}, trained with MSE: a Dense(1) with no activation. */
  @JsonProperty("linear_regression")
  LINEAR_REGRESSION,
  /** {@code p = sigmoid(x w + b)} (binary) or softmax over classes, trained with cross-entropy. */
  @JsonProperty("logistic_regression")
  LOGISTIC_REGRESSION,
  /**
   * A text classifier: a logistic regression over the text's TF-IDF bag of n-grams (characters of Chinese, Japanese and
   * Thai, words elsewhere), fitted as {@link #LOGISTIC_REGRESSION} is; for text datasets only.
   */
  @JsonProperty("ngram_classifier")
  NGRAM_CLASSIFIER;

  /** The types fitted as a logistic regression. */
  public boolean logistic() {
    return this == LOGISTIC_REGRESSION || this == NGRAM_CLASSIFIER;
  }
}
