package dev.kiln.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.model.BatchingConfig;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.model.VersionPolicy;
import dev.kiln.core.tensor.DataType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelConfigReaderTest {
  private final ModelConfigReader reader = new ModelConfigReader();

  @Test
  void fullExampleParses() {
    String json =
        """
        {
          "platform": "onnxruntime_onnx",
          "max-batch-size": 32,
          "dynamic-batching": {"max-queue-delay-us": 500, "preferred-batch-sizes": [8, 16], "max-queue-size": 64},
          "instance-count": 2,
          "version-policy": {"latest": 2},
          "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 784]}],
          "outputs": [{"name": "y", "datatype": "TYPE_INT64", "shape": [-1, 10]}],
          "warmup": false
        }
        """;

    ModelConfig c = reader.read("mnist", json);

    assertThat(c.name()).isEqualTo("mnist");
    assertThat(c.batching()).isEqualTo(new BatchingConfig(32, Duration.ofNanos(500_000), List.of(8, 16), 64));
    assertThat(c.instanceCount()).isEqualTo(2);
    assertThat(c.versionPolicy()).isEqualTo(new VersionPolicy.Latest(2));
    assertThat(c.inputs()).containsExactly(new TensorSpec("x", DataType.FP32, new long[] {-1, 784}));
    assertThat(c.outputs()).containsExactly(new TensorSpec("y", DataType.INT64, new long[] {-1, 10}));
    assertThat(c.warmup()).isFalse();
    assertThat(reader.platform(json)).isEqualTo("onnxruntime_onnx");
  }

  @Test
  void emptyObjectGivesTheDefaults() {
    assertThat(reader.read("m", "{}")).isEqualTo(ModelConfig.defaults("m"));
    assertThat(reader.platform("{}")).isNull();
  }

  @Test
  void maxBatchSizeWithoutDynamicBatchingBatchesWithoutDelay() {
    BatchingConfig b = reader.read("m", "{\"max-batch-size\": 4}").batching();

    assertThat(b.enabled()).isTrue();
    assertThat(b.maxBatchSize()).isEqualTo(4);
    assertThat(b.maxQueueDelay()).isZero();
    assertThat(b.maxQueueSize()).isEqualTo(BatchingConfig.DEFAULT_QUEUE_SIZE);
  }

  @Test
  void versionPoliciesParse() {
    assertThat(reader.read("m", "{\"version-policy\": \"all\"}").versionPolicy()).isEqualTo(new VersionPolicy.All());
    assertThat(reader.read("m", "{\"version-policy\": {\"specific\": [1, 3]}}").versionPolicy())
        .isEqualTo(new VersionPolicy.Specific(List.of(1L, 3L)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"max-batch\": 8}                                  | max-batch",
        "{\"dynamic-batching\": {\"max-delay-us\": 5}}       | dynamic-batching.max-delay-us",
        "{\"version_policy\": \"all\"}                       | version_policy"
      })
  void unknownKeyIsAnErrorNamingTheKey(String json, String key) {
    assertThatThrownBy(() -> reader.read("m", json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown config key")
        .hasMessageContaining(key);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"newest\"",
        "3",
        "{}",
        "{\"latest\": 0}",
        "{\"latest\": \"two\"}",
        "{\"specific\": []}",
        "{\"specific\": 1}",
        "{\"specific\": [\"one\"]}",
        "{\"latest\": 1.5}"
      })
  void badVersionPolicyIsAnError(String policy) {
    assertThatThrownBy(() -> reader.read("m", "{\"version-policy\": " + policy + "}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"max-batch-size\": \"8\"}                                  | max-batch-size",
        "{\"max-batch-size\": 8.5}                                    | max-batch-size",
        "{\"max-batch-size\": -1}                                     | max-batch-size",
        "{\"instance-count\": 0}                                      | instance-count",
        "{\"max-batch-size\": 8, \"dynamic-batching\": {\"max-queue-size\": 0}} | max-queue-size",
        "{\"max-batch-size\": 8, \"dynamic-batching\": {\"preferred-batch-sizes\": [16]}} | preferred batch size",
        "{\"max-batch-size\": 8, \"dynamic-batching\": {\"preferred-batch-sizes\": 4}} | preferred-batch-sizes",
        "{\"warmup\": \"no\"}                                         | warmup",
        "{\"inputs\": {\"name\": \"x\"}}                              | inputs",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP8\", \"shape\": [1]}]} | 'x'",
        "{\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\"}]}   | outputs"
      })
  void badValueIsAnErrorNamingTheKey(String json, String fragment) {
    assertThatThrownBy(() -> reader.read("m", json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(fragment);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"max-batch-size\": 8", "{max-batch-size: 8}", "[1, 2]", "", "null"})
  void textThatIsNotAJsonObjectIsAnError(String text) {
    assertThatThrownBy(() -> reader.read("m", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json");
  }
}
