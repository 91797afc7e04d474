package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TaskInferenceTest {
  @Test
  void fewIntegerLabelsAreClassesSortedNumerically() {
    Task t = TaskInference.infer("y", List.of("10", "2", "1", "2"), null, "f.csv");
    assertThat(t.classification()).isTrue();
    assertThat(t.classes()).containsExactly("1", "2", "10");
  }

  @Test
  void textLabelsSortNaturally() {
    assertThat(TaskInference.infer("y", List.of("class10", "class2", "b", "a"), null, "f").classes())
        .containsExactly("a", "b", "class2", "class10");
  }

  @Test
  void fractionalOrManyIntegerLabelsAreRegression() {
    assertThat(TaskInference.infer("y", List.of("1.5", "2", "3"), null, "f").classification()).isFalse();
    List<String> many = IntStream.range(0, 21).mapToObj(Integer::toString).toList();
    assertThat(TaskInference.infer("y", many, null, "f").classification()).isFalse();
  }

  @Test
  void forcedRegressionOnTextLabelsNamesTheLabel() {
    assertThatThrownBy(() -> TaskInference.infer("y", List.of("1", "cat"), Task.Type.REGRESSION, "f.csv"))
        .hasMessage("f.csv: label 'cat' of 'y' is not a number (task: regression)");
  }

  @Test
  void singleClassIsRefused() {
    assertThatThrownBy(() -> TaskInference.infer("y", List.of("a", "a"), null, "f.csv"))
        .isInstanceOf(DatasetException.class)
        .hasMessage("f.csv: only one class (a) in 'y'; classification needs at least two");
  }
}
