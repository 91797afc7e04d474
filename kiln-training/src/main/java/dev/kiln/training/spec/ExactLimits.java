package dev.kiln.training.spec;

/**
 * How large a model the exact solvers take. Least squares builds the {@code (d+1)^2} normal equations in {@code O(n
 * d^2)} time and factors them in {@code O(d^3)}; L-BFGS keeps 10 pairs of {@code classes x (d+1)} vectors and passes
 * over every row each iteration. Past these limits a job is refused at submission rather than running for hours;
 * gradient descent trains by epochs in memory proportional to a batch.
 *
 * @param maxFeatures prepared features (after one-hot) of an exact linear regression, whose normal equations grow with
 *     their square; a logistic fit's memory grows with its weights only, so it is held to {@code maxWeights} instead (a
 *     text's n-gram bag has up to 10,000 features)
 * @param maxWeights classes x features of an exact logistic regression or n-gram classifier (one class for a binary
 *     sigmoid model)
 */
public record ExactLimits(int maxFeatures, long maxWeights) {
  public ExactLimits {
    if (maxFeatures < 1 || maxWeights < 1) {
      throw new IllegalArgumentException("exact solver limits must be at least 1");
    }
  }

  /**
   * 2,048 features (normal equations of 32 MB; with the 20,000,000 cells a dataset may hold, about 4e10 multiply-adds)
   * and 500,000 weights (L-BFGS's history of 10 pairs is then 80 MB; 784 pixel columns x 10 classes is 7,840, a
   * 10,000-n-gram vocabulary x 50 classes is the limit).
   */
  public static ExactLimits defaults() {
    return new ExactLimits(2048, 500_000);
  }

  /** Refuses an exact fit over these limits, naming the limit and the way around it; nothing for other models. */
  public void check(ResolvedSpec resolved) {
    if (!resolved.spec().exact()) {
      return;
    }
    int features = resolved.inputShape().getFirst();
    if (resolved.spec().type() == ModelType.LINEAR_REGRESSION && features > maxFeatures) {
      throw new SpecException(
          "solver: exact: "
              + features
              + " features exceed the exact solver's limit of "
              + maxFeatures
              + " (kiln serve --exact-max-features); use solver: gradient_descent");
    }
    long weights = (long) resolved.outputShape().getFirst() * features;
    if (resolved.spec().type() != ModelType.LINEAR_REGRESSION && weights > maxWeights) {
      throw new SpecException(
          "solver: exact: "
              + resolved.outputShape().getFirst()
              + " classes x "
              + features
              + " features = "
              + weights
              + " weights exceed the exact solver's limit of "
              + maxWeights
              + " (kiln serve --exact-max-weights); use solver: gradient_descent");
    }
  }
}
