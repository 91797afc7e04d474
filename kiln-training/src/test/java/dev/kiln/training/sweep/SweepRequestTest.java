package dev.kiln.training.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.training.data.Task;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SweepRequestTest {
  static SweepRequest read(String sweepFields) {
    return SweepRequest.read(
        ("{\"dataset\": \"d\", \"model\": \"type: linear_regression\", \"space\": {\"epochs\": {\"values\": [1, 2]}}"
                + sweepFields
                + "}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void defaultsAreAGridWithoutTrialsRandomWithThemSeed42AndPatience3() {
    SweepRequest grid = read("");
    assertThat(grid.strategy()).isEqualTo(Strategy.GRID);
    assertThat(grid.seed()).isEqualTo(42);
    assertThat(grid.patience()).isEqualTo(3);
    assertThat(grid.objective()).isEqualTo(Objective.DEFAULT);
    assertThat(grid.base().fieldNames()).toIterable().containsExactly("dataset", "model");
    SweepRequest random = read(", \"trials\": 5, \"seed\": null, \"early_stopping\": {\"patience\": 2}");
    assertThat(random.strategy()).isEqualTo(Strategy.RANDOM);
    assertThat(random.trials()).isEqualTo(5);
    assertThat(random.seed()).isEqualTo(42);
    assertThat(random.patience()).isEqualTo(2);
    assertThat(read(", \"objective\": {\"metric\": \"loss\"}").objective()).isEqualTo(new Objective("loss", null));
  }

  @Test
  void badFieldsAreRefusedNamingThem() {
    assertThatThrownBy(() -> read(", \"trails\": 5"))
        .hasMessageStartingWith("unknown field 'trails' in the sweep request");
    assertThatThrownBy(() -> read(", \"trials\": 2.5")).hasMessage("trials: expected a whole number, got 2.5");
    assertThatThrownBy(() -> read(", \"strategy\": \"bayes\""))
        .hasMessage("strategy: 'bayes' (expected one of: grid, random, latin_hypercube)");
    assertThatThrownBy(() -> read(", \"early_stopping\": {\"patience\": 0}"))
        .hasMessageStartingWith("early_stopping: patience must be >= 1");
    assertThatThrownBy(() -> read(", \"early_stopping\": {\"monitor\": \"loss\"}"))
        .hasMessageStartingWith("early_stopping: expected {\"patience\": N, \"min_delta\": X}");
    assertThatThrownBy(() ->
            read(", \"objective\": {\"metric\": \"val_loss\", \"direction\": \"down\"}")
                .objective()
                .resolve(Task.Type.REGRESSION))
        .hasMessage("objective.direction: 'down' (expected max or min)");
    assertThatThrownBy(() -> SweepRequest.read("[]".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("the sweep request must be a JSON object");
  }
}
