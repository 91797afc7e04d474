package dev.kiln.training.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrialGeneratorTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static SearchSpace space(String json) throws Exception {
    return SearchSpace.read(JSON.readTree(json), 16);
  }

  @Test
  void aGridIsEveryCombinationWithTheLastKeyVaryingFastest() throws Exception {
    SearchSpace s = space("{\"learning_rate\": {\"values\": [0.1, 0.01]}, \"batch_size\": {\"values\": [16, 32, 64]}}");
    List<Map<String, JsonNode>> trials = TrialGenerator.generate(s, Strategy.GRID, null, 1, 100);
    assertThat(trials).hasSize(6);
    assertThat(trials.stream().map(t -> t.get("learning_rate").asDouble() + "/" + t.get("batch_size").asInt()))
        .containsExactly("0.1/16", "0.1/32", "0.1/64", "0.01/16", "0.01/32", "0.01/64");
  }

  @Test
  void aGridOverTheCapOrOverARangeOrWithATrialCountIsRefusedNamingWhy() throws Exception {
    assertThatThrownBy(() ->
            TrialGenerator.generate(space("{\"training.epochs\": {\"values\": [1, 2, 3]}}"), Strategy.GRID, null, 1, 2))
        .hasMessageContaining("more than 2 combinations");
    assertThatThrownBy(() ->
            TrialGenerator.generate(space("{\"learning_rate\": {\"uniform\": [0, 1]}}"), Strategy.GRID, null, 1, 100))
        .hasMessageContaining("space.learning_rate: grid needs {\"values\": [...]}");
    assertThatThrownBy(() -> TrialGenerator.generate(space("{\"epochs\": {\"values\": [1]}}"), Strategy.GRID, 4, 1, 9))
        .hasMessageContaining("trials: not used by grid");
  }

  @Test
  void randomSamplingIsDeterministicInItsSeedAndInsideItsBounds() throws Exception {
    SearchSpace s =
        space(
            "{\"learning_rate\": {\"log_uniform\": [0.0001, 0.1]}, \"model.layers.0.units\": {\"int\": [8, 64]},"
                + " \"dropout\": {\"uniform\": [0.0, 0.5]}, \"optimizer\": {\"values\": [\"adam\", \"sgd\"]}}");
    List<Map<String, JsonNode>> a = TrialGenerator.generate(s, Strategy.RANDOM, 20, 7, 100);
    assertThat(TrialGenerator.generate(s, Strategy.RANDOM, 20, 7, 100)).isEqualTo(a);
    assertThat(TrialGenerator.generate(s, Strategy.RANDOM, 20, 8, 100)).isNotEqualTo(a);
    for (Map<String, JsonNode> t : a) {
      assertThat(t.get("learning_rate").asDouble()).isBetween(0.0001, 0.1);
      assertThat(t.get("model.layers.0.units").isInt()).isTrue();
      assertThat(t.get("model.layers.0.units").asInt()).isBetween(8, 64);
      assertThat(t.get("dropout").asDouble()).isBetween(0.0, 0.5);
      assertThat(t.get("optimizer").asText()).isIn("adam", "sgd");
    }
  }

  @Test
  void latinHypercubeUsesEachStratumOfEachAxisExactlyOnce() throws Exception {
    int n = 10;
    SearchSpace s =
        space(
            "{\"learning_rate\": {\"log_uniform\": [0.00001, 1]}, \"dropout\": {\"uniform\": [0.0, 0.5]},"
                + " \"training.batch_size\": {\"int\": [1, 10]}}");
    List<Map<String, JsonNode>> trials = TrialGenerator.generate(s, Strategy.LATIN_HYPERCUBE, n, 3, 100);
    assertThat(TrialGenerator.generate(s, Strategy.LATIN_HYPERCUBE, n, 3, 100)).isEqualTo(trials);
    Set<Integer> lr = new HashSet<>();
    Set<Integer> dropout = new HashSet<>();
    Set<Integer> batch = new HashSet<>();
    for (Map<String, JsonNode> t : trials) {
      // log10(lr) spans [-5, 0]: ten strata of half a decade each.
      lr.add((int) Math.floor((Math.log10(t.get("learning_rate").asDouble()) + 5) / 5 * n));
      dropout.add((int) Math.floor(t.get("dropout").asDouble() / 0.5 * n));
      batch.add(t.get("training.batch_size").asInt());
    }
    assertThat(lr).hasSize(n);
    assertThat(dropout).hasSize(n);
    assertThat(batch).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  }

  @Test
  void trialCountsOutsideOneToTheCapAreRefused() throws Exception {
    SearchSpace s = space("{\"learning_rate\": {\"uniform\": [0.1, 1]}}");
    assertThatThrownBy(() -> TrialGenerator.generate(s, Strategy.RANDOM, null, 1, 5))
        .hasMessage("trials: random needs a number of trials from 1 to 5, got null");
    assertThatThrownBy(() -> TrialGenerator.generate(s, Strategy.LATIN_HYPERCUBE, 6, 1, 5))
        .hasMessage("trials: latin_hypercube needs a number of trials from 1 to 5, got 6");
  }

  @Test
  void badRangesAndFormsNameTheirKey() {
    assertThatThrownBy(() -> space("{\"learning_rate\": {\"log_uniform\": [0, 1]}}"))
        .hasMessage("space.learning_rate.log_uniform: bounds must be > 0, got [0,1]");
    assertThatThrownBy(() -> space("{\"batch_size\": {\"int\": [64, 8]}}"))
        .hasMessage("space.batch_size.int: expected finite lo <= hi, got [64,8]");
    assertThatThrownBy(() -> space("{\"batch_size\": {\"int\": [1.5, 8]}}"))
        .hasMessage("space.batch_size.int: bounds must be integers, got [1.5,8]");
    assertThatThrownBy(() -> space("{\"epochs\": [1, 2]}")).hasMessageStartingWith("space.epochs: expected one of");
    assertThatThrownBy(() -> space("{\"epochs\": {\"values\": []}}"))
        .hasMessage("space.epochs.values: expected a non-empty list");
    assertThatThrownBy(() -> space("{\"lr\": {\"values\": [1]}}"))
        .hasMessageStartingWith("space: unknown key 'lr' (a path under model., training. or preparation.");
  }
}
