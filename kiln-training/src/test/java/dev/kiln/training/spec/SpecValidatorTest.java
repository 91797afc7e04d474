package dev.kiln.training.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.training.data.Task;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  private static final Task DIGITS =
      Task.classification("digit", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
  private static final Task BINARY = Task.classification("spam", List.of("ham", "spam"));
  private static final Task PRICE = Task.regression("price");

  private static ResolvedSpec valid(String yaml, List<Integer> input, Task task) {
    return SpecValidator.validate(ModelSpecReader.read(yaml), input, task);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(String yaml, List<Integer> input, Task task) {
    return assertThatThrownBy(() -> valid(yaml, input, task)).isInstanceOf(SpecException.class);
  }

  @Test
  void errorsSayWhereInTheSpecTheFaultIsAsAJsonPath() {
    String twoLayers = "layers:\n  - {type: dense, units: 8}\n  - {type: dense, %s}\n";
    assertThat(path(twoLayers.formatted("units: 0"), List.of(4))).contains("layers[1].units");
    assertThat(path(twoLayers.formatted("units: 2, activation: softmax, unitz: 3"), List.of(4)))
        .contains("layers[1].unitz");
    assertThat(path(twoLayers.formatted("units: many"), List.of(4))).contains("layers[1].units");
    assertThat(path("optimizer: {name: adam, learning_rate: -1}\n" + twoLayers.formatted("units: 2"), List.of(4)))
        .contains("optimizer.learning_rate");
    assertThat(path("training: {epochs: 0}\n" + twoLayers.formatted("units: 2"), List.of(4)))
        .contains("training.epochs");
    assertThat(path("layers:\n  - {type: dropout, rate: 2}\n  - {type: dense, units: 2}\n", List.of(4)))
        .contains("layers[0].rate");
    // The message stays as it was: counted from 1, for people.
    assertThatThrownBy(() -> valid(twoLayers.formatted("units: 0"), List.of(4), BINARY))
        .isInstanceOf(SpecException.class)
        .hasMessage("layer 2 (dense): units must be >= 1, got 0");
  }

  private static Optional<String> path(String yaml, List<Integer> input) {
    try {
      valid(yaml, input, BINARY);
    } catch (SpecException e) {
      return e.path();
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void mlpOnTabularInputInfersShapesAndDefaultsTheLoss() {
    ResolvedSpec r =
        valid(
            """
            layers:
              - {type: dense, units: 32, activation: relu}
              - {type: batch_normalization}
              - {type: dropout, rate: 0.2}
              - {type: dense, units: 10, activation: softmax}
            """,
            List.of(64),
            DIGITS);

    assertThat(r.outputShapes()).containsExactly(List.of(32), List.of(32), List.of(32), List.of(10));
    assertThat(r.spec().loss()).isEqualTo(LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY);
    assertThat(r.spec().training()).isEqualTo(TrainingSettings.DEFAULTS);
  }

  @Test
  void cnnOnEightByEightDigitsReshapesConvolvesAndPools() {
    ResolvedSpec r =
        valid(
            """
            layers:
              - {type: reshape, target_shape: [1, 8, 8]}
              - {type: conv2d, filters: 16, kernel_size: 3, activation: relu}
              - {type: max_pooling2d, pool_size: 2}
              - {type: flatten}
              - {type: dense, units: 10, activation: softmax}
            """,
            List.of(64),
            DIGITS);

    // valid 3x3 on 8x8 -> 6x6; 2x2 pool -> 3x3; 16 * 9 = 144
    assertThat(r.outputShapes())
        .containsExactly(List.of(1, 8, 8), List.of(16, 6, 6), List.of(16, 3, 3), List.of(144), List.of(10));
  }

  @Test
  void cnnOnMnistWithSamePaddingAndStrides() {
    ResolvedSpec r =
        valid(
            """
            layers:
              - {type: conv2d, filters: 8, kernel_size: [5, 5], padding: same, activation: relu}
              - {type: batch_normalization}
              - {type: conv2d, filters: 4, kernel_size: 3, strides: 2, padding: same}
              - {type: max_pooling2d, pool_size: 3, strides: 2}
              - {type: flatten}
              - {type: dense, units: 10}
              - {type: activation, activation: softmax}
            """,
            List.of(1, 28, 28),
            DIGITS);

    // same/stride 2 on 28 -> ceil(28/2) = 14; pool 3 stride 2 on 14 -> (14-3)/2+1 = 6
    assertThat(r.outputShapes())
        .containsExactly(
            List.of(8, 28, 28),
            List.of(8, 28, 28),
            List.of(4, 14, 14),
            List.of(4, 6, 6),
            List.of(144),
            List.of(10),
            List.of(10));
  }

  @Test
  void embeddingThenLstmClassifiesTokenSequencesWithOneSigmoid() {
    ResolvedSpec r =
        valid(
            """
            layers:
              - {type: embedding, input_dim: 5000, output_dim: 32}
              - {type: lstm, units: 16, return_sequences: true}
              - {type: lstm, units: 8}
              - {type: dense, units: 1, activation: sigmoid}
            """,
            List.of(100),
            BINARY);

    assertThat(r.outputShapes()).containsExactly(List.of(100, 32), List.of(100, 16), List.of(8), List.of(1));
    assertThat(r.spec().loss()).isEqualTo(LossSpec.BINARY_CROSSENTROPY);
  }

  @Test
  void embeddingThenGruRegresses() {
    ResolvedSpec r =
        valid(
            """
            layers:
              - {type: embedding, input_dim: 50, output_dim: 4}
              - {type: gru, units: 6}
              - {type: dense, units: 1}
            """,
            List.of(12),
            PRICE);

    assertThat(r.outputShape()).containsExactly(1);
    assertThat(r.spec().loss()).isEqualTo(LossSpec.MSE);
  }

  @Test
  void denseOnASequenceMapsTheLastAxis() {
    ResolvedSpec r =
        valid(
            """
            layers:
              - {type: embedding, input_dim: 50, output_dim: 4}
              - {type: dense, units: 3}
              - {type: flatten}
              - {type: dense, units: 1}
            """,
            List.of(5),
            PRICE);

    assertThat(r.outputShapes().get(1)).containsExactly(5, 3);
  }

  @Test
  void reshapeInfersOneMinusOneDimension() {
    ResolvedSpec r =
        valid(
            """
            layers:
              - {type: reshape, target_shape: [-1, 4]}
              - {type: gru, units: 2}
              - {type: dense, units: 1}
            """,
            List.of(12),
            PRICE);

    assertThat(r.outputShapes().get(0)).containsExactly(3, 4);
  }

  @Test
  void linearRegressionStandsForOneLinearUnitTrainedWithMse() {
    ResolvedSpec r = valid("type: linear_regression", List.of(13), PRICE);

    assertThat(r.layers()).containsExactly(new LayerSpec.Dense(1, Activation.LINEAR, true));
    assertThat(r.spec().loss()).isEqualTo(LossSpec.MSE);
    assertThat(r.spec().layers()).isEmpty();
    assertThat(r.summary().totalParams()).isEqualTo(14);
  }

  @Test
  void logisticRegressionIsSigmoidForTwoClassesAndSoftmaxForMore() {
    ResolvedSpec binary = valid("type: logistic_regression", List.of(4), BINARY);
    ResolvedSpec multi = valid("type: logistic_regression", List.of(4), DIGITS);

    assertThat(binary.layers()).containsExactly(new LayerSpec.Dense(1, Activation.SIGMOID, true));
    assertThat(binary.spec().loss()).isEqualTo(LossSpec.BINARY_CROSSENTROPY);
    assertThat(multi.layers()).containsExactly(new LayerSpec.Dense(10, Activation.SOFTMAX, true));
    assertThat(multi.spec().loss()).isEqualTo(LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY);
  }

  @Test
  void theEffectiveSpecValidatesAgainUnchanged() {
    ResolvedSpec r = valid("type: logistic_regression\ntraining: {epochs: 3}", List.of(4), BINARY);

    assertThat(SpecValidator.validate(r.spec(), List.of(4), BINARY).spec()).isEqualTo(r.spec());
    assertThat(r.spec().training().epochs()).isEqualTo(3);
    assertThat(r.spec().training().batchSize()).isEqualTo(32);
  }

  // --- layer errors name the layer

  @Test
  void convOnFlatInputAsksForAReshape() {
    rejects(
            "layers: [{type: dense, units: 64}, {type: dropout, rate: 0.1}, {type: conv2d, filters: 2}]",
            List.of(10),
            DIGITS)
        .hasMessage(
            "layer 3 (conv2d): expects input [channels, height, width], got [64]; "
                + "add a reshape to [channels, height, width]");
  }

  @Test
  void poolLargerThanItsInputIsRejected() {
    rejects("layers: [{type: reshape, target_shape: [4, 1, 1]}, {type: max_pooling2d}]", List.of(4), DIGITS)
        .hasMessage("layer 2 (max_pooling2d): pool 2x2 does not fit input 1x1");
  }

  @Test
  void kernelLargerThanItsInputIsRejected() {
    rejects("layers: [{type: conv2d, filters: 1, kernel_size: 5}]", List.of(1, 3, 3), DIGITS)
        .hasMessage("layer 1 (conv2d): kernel 5x5 does not fit input 3x3");
  }

  @Test
  void reshapeMustKeepTheNumberOfValues() {
    rejects("layers: [{type: reshape, target_shape: [1, 8, 9]}]", List.of(64), DIGITS)
        .hasMessage("layer 1 (reshape): target [1, 8, 9] holds 72 values, input holds 64");
  }

  @Test
  void embeddingAnywhereButFirstIsRejected() {
    rejects("layers: [{type: dense, units: 4}, {type: embedding, input_dim: 10, output_dim: 2}]", List.of(3), DIGITS)
        .hasMessageStartingWith("layer 2 (embedding) must come first and take token ids");
  }

  @Test
  void recurrentLayerNeedsASequence() {
    rejects("layers: [{type: lstm, units: 4}]", List.of(30), DIGITS)
        .hasMessage("layer 1 (lstm): expects input [steps, features], got [30]; add an embedding or a reshape");
  }

  @Test
  void layerSizesMustBePositive() {
    rejects("layers: [{type: dense, units: 8}, {type: dense, units: 0}]", List.of(3), PRICE)
        .hasMessage("layer 2 (dense): units must be >= 1, got 0");
    rejects("layers: [{type: embedding, output_dim: 3}]", List.of(3), PRICE)
        .hasMessage("layer 1 (embedding): input_dim must be >= 1, got 0");
  }

  @Test
  void dropoutRateMustBeBelowOne() {
    rejects("layers: [{type: dropout, rate: 1.0}, {type: dense, units: 1}]", List.of(3), PRICE)
        .hasMessage("layer 1 (dropout): rate must be in [0, 1), got 1.0");
  }

  @Test
  void batchNormalizationOnASequenceIsRejected() {
    rejects("layers: [{type: reshape, target_shape: [2, 2]}, {type: batch_normalization}]", List.of(4), PRICE)
        .hasMessageStartingWith("layer 2 (batch_normalization): expects input [features] or");
  }

  // --- output, task and loss

  @Test
  void outputMustHaveOneUnitPerClass() {
    rejects("layers: [{type: dense, units: 3, activation: softmax}]", List.of(4), DIGITS)
        .hasMessage("layer 1 (dense): outputs [3] but 10 classes need [10]");
  }

  @Test
  void imageOutputWithoutFlattenIsPointedAtFlatten() {
    rejects("layers: [{type: conv2d, filters: 2}, {type: dense, units: 1}]", List.of(1, 5, 5), PRICE)
        .hasMessage(
            "layer 2 (dense): outputs [2, 3, 1] but regression needs [1]; "
                + "end with a flatten and a dense layer of 1 unit");
  }

  @Test
  void binaryCrossEntropyNeedsOneSigmoidOutputAndTwoClasses() {
    rejects("layers: [{type: dense, units: 10, activation: softmax}]\nloss: binary_crossentropy", List.of(4), DIGITS)
        .hasMessageStartingWith("loss binary_crossentropy needs 1 sigmoid output and 2 classes; layer 1 (dense)");
    rejects("layers: [{type: dense, units: 1, activation: relu}]\nloss: binary_crossentropy", List.of(4), BINARY)
        .hasMessage("loss binary_crossentropy needs a sigmoid output; the model ends in relu");
  }

  @Test
  void categoricalCrossEntropyNeedsSoftmaxOverEveryClass() {
    rejects("layers: [{type: dense, units: 10}]\nloss: categorical_crossentropy", List.of(4), DIGITS)
        .hasMessage("loss categorical_crossentropy needs a softmax output; the model ends in linear");
    rejects(
            "layers: [{type: dense, units: 1, activation: sigmoid}]\nloss: sparse_categorical_crossentropy",
            List.of(4),
            BINARY)
        .hasMessageStartingWith("loss sparse_categorical_crossentropy needs one output per class, [2]");
  }

  @Test
  void mseIsNotAClassificationLossAndCrossEntropyIsNotARegressionLoss() {
    rejects("layers: [{type: dense, units: 10, activation: softmax}]\nloss: mse", List.of(4), DIGITS)
        .hasMessage("loss mse is for regression; classification uses sparse_categorical_crossentropy");
    rejects("layers: [{type: dense, units: 1}]\nloss: binary_crossentropy", List.of(4), PRICE)
        .hasMessage("loss binary_crossentropy is for classification; regression uses mse");
  }

  @Test
  void classicModelsRefuseLayersAndTheWrongTask() {
    rejects("type: linear_regression\nlayers: [{type: dense, units: 1}]", List.of(3), PRICE)
        .hasMessage("linear_regression takes no layers; use type: sequential to give layers");
    rejects("type: linear_regression", List.of(3), BINARY)
        .hasMessageStartingWith("linear_regression needs a regression task");
    rejects("type: logistic_regression", List.of(3), PRICE)
        .hasMessageStartingWith("logistic_regression needs a classification task");
    rejects("type: logistic_regression\nloss: mse", List.of(3), BINARY)
        .hasMessageStartingWith("loss mse is for regression");
    rejects("type: logistic_regression\nloss: binary_crossentropy", List.of(3), DIGITS)
        .hasMessageStartingWith("loss binary_crossentropy needs 1 sigmoid output and 2 classes");
  }

  @Test
  void classicModelsAreExactUnlessGradientDescentOrAnOptimizerIsAsked() {
    assertThat(valid("type: linear_regression", List.of(3), PRICE).spec().exact()).isTrue();
    assertThat(valid("type: logistic_regression\nl2: 0.5", List.of(3), BINARY).spec().l2Penalty()).isEqualTo(0.5);
    assertThat(valid("type: logistic_regression", List.of(3), BINARY).spec().l2Penalty()).isEqualTo(1.0);
    assertThat(valid("type: linear_regression\nsolver: gradient_descent", List.of(3), PRICE).spec().exact()).isFalse();
    ResolvedSpec adam = valid("type: linear_regression\noptimizer: {name: adam}", List.of(3), PRICE);
    assertThat(adam.spec().solver()).isEqualTo(Solver.GRADIENT_DESCENT);
    ResolvedSpec exact = valid("type: linear_regression\noptimizer: {name: adam}\nsolver: exact", List.of(3), PRICE);
    assertThat(exact.spec().exact()).isTrue();
    // The stored spec writes its optimizer out; its solver comes back with it.
    ModelSpec stored =
        ModelSpecReader.read(ModelSpecWriter.toJson(valid("type: linear_regression", List.of(3), PRICE).spec()));
    assertThat(stored.exact()).isTrue();
  }

  @Test
  void solverAndL2AreForClassicModelsOnly() {
    rejects("type: sequential\nsolver: exact\nlayers: [{type: dense, units: 1}]", List.of(3), PRICE)
        .hasMessageStartingWith("solver is for linear_regression and logistic_regression");
    rejects("type: sequential\nl2: 1\nlayers: [{type: dense, units: 1}]", List.of(3), PRICE)
        .hasMessageStartingWith("l2 is for linear_regression and logistic_regression");
    rejects("type: linear_regression\nl2: -1", List.of(3), PRICE)
        .hasMessage("l2 must be a finite number >= 0, got -1.0");
  }

  @Test
  void emptySequentialModelIsRejected() {
    rejects("type: sequential", List.of(3), PRICE).hasMessage("a sequential model needs at least one layer");
  }

  // --- optimizer and training settings

  @Test
  void optimizerRangesNameTheKey() {
    String layers = "layers: [{type: dense, units: 1}]\n";
    rejects(layers + "optimizer: {name: adam, learning_rate: 0}", List.of(3), PRICE)
        .hasMessage("optimizer (adam): learning_rate must be > 0, got 0.0");
    rejects(layers + "optimizer: {name: sgd, momentum: 1.0}", List.of(3), PRICE)
        .hasMessage("optimizer (sgd): momentum must be in [0, 1), got 1.0");
    rejects(layers + "optimizer: {name: adam, momentum: 0.9}", List.of(3), PRICE)
        .hasMessage("optimizer (adam): momentum applies to sgd only, got 0.9");
    rejects(layers + "optimizer: {name: sgd, weight_decay: -0.1}", List.of(3), PRICE)
        .hasMessage("optimizer (sgd): weight_decay must be >= 0, got -0.1");
    rejects(layers + "optimizer: {name: adam, beta2: 1.0}", List.of(3), PRICE)
        .hasMessage("optimizer (adam): beta2 must be in [0, 1), got 1.0");
    rejects(layers + "optimizer: {name: rmsprop, epsilon: 0}", List.of(3), PRICE)
        .hasMessage("optimizer (rmsprop): epsilon must be > 0, got 0.0");
  }

  @Test
  void trainingSettingRangesNameTheKey() {
    String layers = "layers: [{type: dense, units: 1}]\n";
    rejects(layers + "training: {epochs: 0}", List.of(3), PRICE)
        .hasMessage("training: epochs must be in 1..100000, got 0");
    rejects(layers + "training: {batch_size: 70000}", List.of(3), PRICE)
        .hasMessage("training: batch_size must be in 1..65536, got 70000");
    rejects(layers + "training: {validation_split: 0.5, test_split: 0.5}", List.of(3), PRICE)
        .hasMessageStartingWith("training: validation_split + test_split must be < 1");
    rejects(layers + "training: {checkpoint_every: 0}", List.of(3), PRICE)
        .hasMessage("training: checkpoint_every must be >= 1, got 0");
  }

  @Test
  void earlyStoppingMonitorMustExistAndFitTheRun() {
    String layers = "layers: [{type: dense, units: 1}]\n";
    rejects(layers + "training: {early_stopping: {monitor: f1}}", List.of(3), PRICE)
        .hasMessageStartingWith("training.early_stopping: monitor must be one of loss, accuracy, val_loss");
    rejects(layers + "training: {early_stopping: {patience: 0}}", List.of(3), PRICE)
        .hasMessage("training.early_stopping: patience must be >= 1, got 0");
    rejects(layers + "training: {validation_split: 0, early_stopping: {monitor: val_loss}}", List.of(3), PRICE)
        .hasMessage("training.early_stopping: monitor val_loss needs validation_split > 0");
    rejects(layers + "training: {early_stopping: {monitor: accuracy}}", List.of(3), PRICE)
        .hasMessage("training.early_stopping: monitor accuracy needs a classification task; use loss");
  }

  @Test
  void classificationNeedsTwoClasses() {
    assertThatThrownBy(() -> valid("type: logistic_regression", List.of(3), Task.classification("y", List.of("only"))))
        .hasMessage("classification needs at least 2 classes, got 1");
  }
}
