package dev.kiln.training.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExactLimitsTest {
  private static final Task DIGITS =
      Task.classification("digit", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
  private static final Task PRICE = Task.regression("price");

  private static ResolvedSpec resolve(String spec, int features, Task task) {
    return SpecValidator.validate(ModelSpecReader.read(spec), List.of(features), task);
  }

  @Test
  void tooManyFeaturesForTheNormalEquationsIsA400NamingTheLimitAndTheWayAround() {
    ExactLimits limits = new ExactLimits(100, 1_000_000);
    assertThatCode(() -> limits.check(resolve("type: linear_regression", 100, PRICE))).doesNotThrowAnyException();
    assertThatThrownBy(() -> limits.check(resolve("type: linear_regression", 101, PRICE)))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessage(
            "solver: exact: 101 features exceed the exact solver's limit of 100 (kiln serve --exact-max-features);"
                + " use solver: gradient_descent");
    // Gradient descent, and sequential models, are not capped.
    assertThatCode(() -> limits.check(resolve("type: linear_regression\nsolver: gradient_descent", 5000, PRICE)))
        .doesNotThrowAnyException();
  }

  @Test
  void tooManyClassWeightsForLbfgsIsRefused() {
    ExactLimits limits = new ExactLimits(10_000, 640);
    assertThatCode(() -> limits.check(resolve("type: logistic_regression", 64, DIGITS))).doesNotThrowAnyException();
    // L-BFGS holds weights, not a d x d matrix: the feature cap is the normal equations', not logistic regression's.
    assertThatCode(() -> new ExactLimits(10, 640).check(resolve("type: logistic_regression", 64, DIGITS)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> limits.check(resolve("type: logistic_regression", 65, DIGITS)))
        .hasMessage(
            "solver: exact: 10 classes x 65 features = 650 weights exceed the exact solver's limit of 640 (kiln serve"
                + " --exact-max-weights); use solver: gradient_descent");
  }
}
