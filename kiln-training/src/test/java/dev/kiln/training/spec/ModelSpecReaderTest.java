package dev.kiln.training.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSpecReaderTest {
  private static final String CNN_YAML =
      """
      type: sequential
      layers:
        - {type: reshape, target_shape: [1, 8, 8]}
        - {type: conv2d, filters: 8, kernel_size: [3, 3], padding: same, activation: relu}
        - {type: max_pooling2d, pool_size: 2}
        - type: flatten
        - {type: batch_normalization}
        - {type: dropout, rate: 0.25}
        - {type: dense, units: 10, activation: softmax, use_bias: false}
      optimizer: {name: sgd, learning_rate: 0.05, momentum: 0.9, weight_decay: 0.0001}
      loss: sparse_categorical_crossentropy
      training:
        epochs: 5
        batch_size: 16
        validation_split: 0.2
        early_stopping: {monitor: val_accuracy, patience: 2, min_delta: 0.01}
        checkpoint_every: 2
      """;

  @Test
  void readsSnakeCaseYamlIntoRecords() {
    ModelSpec spec = ModelSpecReader.read(CNN_YAML);

    assertThat(spec.type()).isEqualTo(ModelType.SEQUENTIAL);
    assertThat(spec.layers()).hasSize(7);
    assertThat(spec.layers().get(0)).isEqualTo(new LayerSpec.Reshape(List.of(1, 8, 8)));
    assertThat(spec.layers().get(1))
        .isEqualTo(new LayerSpec.Conv2D(8, List.of(3, 3), List.of(1, 1), LayerSpec.Padding.SAME, Activation.RELU));
    assertThat(spec.layers().get(2)).isEqualTo(new LayerSpec.MaxPooling2D(List.of(2, 2), List.of(2, 2)));
    assertThat(spec.layers().get(3)).isEqualTo(new LayerSpec.Flatten());
    assertThat(spec.layers().get(6)).isEqualTo(new LayerSpec.Dense(10, Activation.SOFTMAX, false));
    assertThat(spec.optimizer().name()).isEqualTo(OptimizerSpec.Name.SGD);
    assertThat(spec.optimizer().learningRate()).isEqualTo(0.05);
    assertThat(spec.optimizer().weightDecay()).isEqualTo(1e-4);
    assertThat(spec.loss()).isEqualTo(LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY);
    assertThat(spec.training().batchSize()).isEqualTo(16);
    assertThat(spec.training().earlyStopping()).isEqualTo(new EarlyStopping("val_accuracy", 2, 0.01));
    assertThat(spec.training().checkpointEvery()).isEqualTo(2);
  }

  @Test
  void readsJsonDetectedByContent() {
    ModelSpec spec =
        ModelSpecReader.read(
            """
            {"type": "sequential", "layers": [
              {"type": "embedding", "input_dim": 1000, "output_dim": 16},
              {"type": "lstm", "units": 32, "return_sequences": true},
              {"type": "gru", "units": 8},
              {"type": "dense", "units": 1, "activation": "sigmoid"}],
             "loss": "binary_crossentropy"}\
            """);

    assertThat(spec.layers())
        .containsExactly(
            new LayerSpec.Embedding(1000, 16),
            new LayerSpec.Lstm(32, true),
            new LayerSpec.Gru(8, false),
            new LayerSpec.Dense(1, Activation.SIGMOID, true));
    assertThat(spec.loss()).isEqualTo(LossSpec.BINARY_CROSSENTROPY);
  }

  @Test
  void choosesTheFormatByFileExtension(@TempDir Path dir) throws Exception {
    Path json = Files.writeString(dir.resolve("model.json"), "{\"type\": \"linear_regression\"}");
    Path yaml = Files.writeString(dir.resolve("model.yml"), "type: logistic_regression\n");

    assertThat(ModelSpecReader.read(json).type()).isEqualTo(ModelType.LINEAR_REGRESSION);
    assertThat(ModelSpecReader.read(yaml).type()).isEqualTo(ModelType.LOGISTIC_REGRESSION);
  }

  @Test
  void aWrittenSpecReadsBackEqualInBothFormats() {
    ModelSpec spec = ModelSpecReader.read(CNN_YAML);

    assertThat(ModelSpecReader.read(ModelSpecWriter.toJson(spec))).isEqualTo(spec);
    assertThat(ModelSpecReader.read(ModelSpecWriter.toYaml(spec))).isEqualTo(spec);
    assertThat(ModelSpecWriter.toJson(spec)).contains("\"kernel_size\"", "\"learning_rate\"", "\"type\":\"flatten\"");
  }

  @Test
  void unknownFieldNamesTheLayerAndSuggestsTheNearKey() {
    assertThatThrownBy(() ->
            ModelSpecReader.read(
                """
                layers:
                  - {type: flatten}
                  - {type: dense, unit: 10}
                """))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith("layer 2 (dense): unknown field 'unit'; did you mean 'units'?");
  }

  @Test
  void camelCaseKeyIsPointedAtItsSnakeCaseName() {
    assertThatThrownBy(() -> ModelSpecReader.read("optimizer: {name: adam, learningRate: 0.1}"))
        .hasMessageStartingWith("optimizer: unknown field 'learningRate'; did you mean 'learning_rate'?");
  }

  @Test
  void unknownNestedTrainingFieldNamesItsPath() {
    assertThatThrownBy(() -> ModelSpecReader.read("training: {early_stopping: {patiense: 2}}"))
        .hasMessageStartingWith("training.early_stopping: unknown field 'patiense'; did you mean 'patience'?");
  }

  @Test
  void unknownTopLevelFieldListsTheKnownOnesWhenNothingIsClose() {
    assertThatThrownBy(() -> ModelSpecReader.read("type: sequential\nfoo: 1\n"))
        .hasMessageStartingWith(
            "spec: unknown field 'foo' (known: input_shape, l2, layers, loss, metrics, optimizer, solver, training, type)");
  }

  @Test
  void unknownLayerTypeListsTheKnownTypes() {
    assertThatThrownBy(() -> ModelSpecReader.read("layers: [{type: dense, units: 4}, {type: densee, units: 3}]"))
        .hasMessageContaining("layer 2: unknown layer type 'densee' (known: dense, conv2d, max_pooling2d, flatten,");
  }

  @Test
  void layerWithoutTypeSaysSo() {
    assertThatThrownBy(() -> ModelSpecReader.read("layers: [{units: 3}]"))
        .hasMessageStartingWith("layer 1: missing 'type' (one of dense,");
  }

  @Test
  void wrongValueTypeNamesTheFieldAndWhatItMustBe() {
    assertThatThrownBy(() -> ModelSpecReader.read("layers: [{type: dense, units: many}]"))
        .hasMessageStartingWith("layer 1 (dense): 'units' must be an integer");
    assertThatThrownBy(() -> ModelSpecReader.read("layers: [{type: dense, units: 1.5}]"))
        .hasMessageStartingWith("layer 1 (dense): 'units' must be an integer");
    assertThatThrownBy(() -> ModelSpecReader.read("layers: [{type: conv2d, filters: 2, kernel_size: [3, x]}]"))
        .hasMessageStartingWith("layer 1 (conv2d): 'kernel_size[1]' must be an integer");
    assertThatThrownBy(() -> ModelSpecReader.read("training: {epochs: ten}"))
        .hasMessageStartingWith("training: 'epochs' must be an integer");
  }

  @Test
  void unknownEnumValueListsTheAcceptedNames() {
    assertThatThrownBy(() -> ModelSpecReader.read("layers: [{type: dense, units: 3, activation: relu6}]"))
        .hasMessageStartingWith(
            "layer 1 (dense): 'activation' must be one of linear, relu, sigmoid, tanh, softmax; got 'relu6'");
    assertThatThrownBy(() -> ModelSpecReader.read("loss: mae"))
        .hasMessageStartingWith("spec: 'loss' must be one of mse, sparse_categorical_crossentropy,");
  }

  @Test
  void syntaxErrorsAreReportedWithoutParserInternals() {
    assertThatThrownBy(() -> ModelSpecReader.read("{\"layers\": [}"))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith("spec is not valid JSON: ")
        .message()
        .doesNotContain("com.fasterxml", "Source:", "jackson");
    assertThatThrownBy(() -> ModelSpecReader.read("layers: [\n  - a: b\n  c"))
        .hasMessageStartingWith("spec is not valid YAML: ")
        .message()
        .doesNotContain("com.fasterxml", "Source:", "jackson");
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThatThrownBy(() -> ModelSpecReader.read("loss: mse\nloss: binary_crossentropy\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("loss");
  }

  @Test
  void oversizedSpecIsRefusedBeforeParsing() {
    String huge = "type: sequential\n#" + "x".repeat(SpecMappers.MAX_CHARS) + "\n";
    assertThatThrownBy(() -> ModelSpecReader.read(huge)).hasMessage("spec is larger than 1024 KiB");
  }

  @Test
  void deeplyNestedDocumentIsRefused() {
    String deep = "layers: " + "[".repeat(200) + "]".repeat(200);
    assertThatThrownBy(() -> ModelSpecReader.read(deep)).isInstanceOf(SpecException.class);
  }

  @Test
  void yamlAliasBombIsRefused() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char p = (char) (c - 1);
      bomb.append(c)
          .append(": &")
          .append(c)
          .append(" [*")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append("]\n");
    }
    assertThatThrownBy(() -> ModelSpecReader.read(bomb.toString())).isInstanceOf(SpecException.class);
  }

  @Test
  void emptySpecIsAnError() {
    assertThatThrownBy(() -> ModelSpecReader.read("  \n")).hasMessage("spec is empty");
  }

  @org.junit.jupiter.api.Test
  void yamlTagsNeverInstantiateClasses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    // The ShellTorch chain (bad-inputs row 2): a global tag naming a Java class must never be constructed.
    java.nio.file.Path marker = dir.resolve("marker");
    String yaml =
        "type: sequential\nlayers: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader "
            + "[[!!java.net.URL [\"file://"
            + marker
            + "\"]]]]\n";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelSpecReader.read(yaml))
        .isInstanceOf(SpecException.class);
    org.assertj.core.api.Assertions.assertThat(marker).doesNotExist();
  }
}
