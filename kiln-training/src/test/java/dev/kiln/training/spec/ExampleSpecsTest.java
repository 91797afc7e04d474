package dev.kiln.training.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.training.data.Task;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The specs in examples/ (which the README points users to) read and fit the data they are meant for. */
class ExampleSpecsTest {
  static final Path EXAMPLES = Path.of("..", "examples");
  static final Task DIGITS = Task.classification("digit", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));

  static ResolvedSpec check(String file, List<Integer> shape, Task task) {
    return SpecValidator.validate(ModelSpecReader.read(EXAMPLES.resolve(file)), shape, task);
  }

  @Test
  void digitsSpecsFitThe64PixelColumns() {
    assertThat(check("mlp.yaml", List.of(64), DIGITS).outputShape()).containsExactly(10);
    assertThat(check("cnn.yaml", List.of(64), DIGITS).outputShape()).containsExactly(10);
    ResolvedSpec keras = check("keras-cnn.yaml", List.of(64), DIGITS);
    assertThat(keras.outputShape()).containsExactly(10);
    assertThat(keras.spec().fromLogits()).isTrue();
  }

  @Test
  void textRegressionAndLogisticSpecsFitTheirData() {
    assertThat(check("text-gru.yaml", List.of(40), Task.classification("label", List.of("neg", "pos"))).outputShape())
        .containsExactly(2);
    assertThat(check("linear.yaml", List.of(1), Task.regression("y")).spec().loss()).isEqualTo(LossSpec.MSE);
    assertThat(check("logistic.yaml", List.of(3), Task.classification("c", List.of("a", "b"))).spec().loss())
        .isEqualTo(LossSpec.BINARY_CROSSENTROPY);
    ResolvedSpec ngrams =
        check("ngram-classifier.yaml", List.of(3000), Task.classification("c", List.of("a", "b", "c")));
    assertThat(ngrams.outputShape()).containsExactly(3);
    assertThat(ngrams.spec().exact()).isTrue();
    assertThat(ngrams.spec().l2Penalty()).isEqualTo(0.1);
  }
}
