package dev.kiln.training.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.training.data.Task;
import dev.kiln.training.engine.NetworkPlan;
import java.util.List;
import java.util.stream.IntStream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Specs written as Keras and PyTorch users write them: bare optimizer names, metrics, logits, channels-last. */
class KerasFormsTest {
  private static final Task DIGITS =
      Task.classification("digit", IntStream.range(0, 10).mapToObj(String::valueOf).toList());
  private static final Task BINARY = Task.classification("c", List.of("no", "yes"));
  private static final Task PRICE = Task.regression("price");
  private static final String LOGITS =
      "layers: [{type: flatten}, {type: dense, units: 10}]\n"
          + "loss: {name: sparse_categorical_crossentropy, from_logits: true}\n";

  private static ResolvedSpec check(String yaml, List<Integer> shape, Task task) {
    return SpecValidator.validate(ModelSpecReader.read(yaml), shape, task);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(String yaml, List<Integer> shape, Task task) {
    return assertThatThrownBy(() -> check(yaml, shape, task)).isInstanceOf(SpecException.class);
  }

  @Test
  void aBareOptimizerNameTakesThatOptimizersDefaults() {
    assertThat(ModelSpecReader.read("optimizer: adam").optimizer())
        .isEqualTo(OptimizerSpec.of(OptimizerSpec.Name.ADAM));
    OptimizerSpec sgd = ModelSpecReader.read("{\"optimizer\": \"sgd\"}").optimizer();
    assertThat(sgd.name()).isEqualTo(OptimizerSpec.Name.SGD);
    assertThat(sgd.learningRate()).isEqualTo(0.01);
    assertThat(ModelSpecReader.read("optimizer: {name: rmsprop, rho: 0.8}").optimizer().rho()).isEqualTo(0.8);
    assertThatThrownBy(() -> ModelSpecReader.read("optimizer: adamw"))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith("spec: 'optimizer' must be one of sgd, adagrad, rmsprop, adam; got 'adamw'");
  }

  @Test
  void metricsAreCheckedAgainstWhatEpochsMeasure() {
    assertThat(ModelSpecReader.read("metrics: [accuracy]").metrics()).containsExactly("accuracy");
    rejects(LOGITS + "metrics: [accuracy, f1]", List.of(64), DIGITS)
        .hasMessage(
            "metrics: unknown metric 'f1' (allowed: loss, accuracy, acc, sparse_categorical_accuracy,"
                + " categorical_accuracy, binary_accuracy, mae, mean_absolute_error, mse, mean_squared_error, rmse,"
                + " root_mean_squared_error)");
    rejects(LOGITS + "metrics: [accuracy, mae]", List.of(64), DIGITS)
        .hasMessage("metrics: mae needs a regression task; use accuracy or loss");
    rejects("layers: [{type: dense, units: 1}]\nmetrics: [accuracy]", List.of(3), PRICE)
        .hasMessage("metrics: accuracy needs a classification task; use loss");
  }

  @Test
  void kerasMetricNamesAreReadAsWhatEpochsReportAndPickTheMonitor() {
    String regression = "layers: [{type: dense, units: 1}]\n";
    ResolvedSpec r =
        check(
            regression + "metrics: [mean_absolute_error, RMSE]\ntraining: {early_stopping: {patience: 2}}",
            List.of(3),
            PRICE);
    assertThat(r.spec().metrics()).containsExactly("mae", "rmse");
    assertThat(r.spec().training().earlyStopping().monitor()).isEqualTo("val_mae");
    ResolvedSpec c = check(LOGITS + "metrics: [sparse_categorical_accuracy]", List.of(64), DIGITS);
    assertThat(c.spec().metrics()).containsExactly("accuracy");
    ModelSpec named =
        ModelSpecReader.read(regression + "training: {early_stopping: {monitor: val_mean_squared_error}}");
    assertThat(SpecValidator.validateSettings(named, named.training(), PRICE).earlyStopping().monitor())
        .isEqualTo("val_mse");
    rejects(LOGITS + "training: {early_stopping: {monitor: val_mae}}", List.of(64), DIGITS)
        .hasMessage("training.early_stopping: monitor val_mae needs a regression task; use val_loss or val_accuracy");
  }

  @Test
  void earlyStoppingWithoutAMonitorWatchesTheFirstMetric() {
    ModelSpec keras = ModelSpecReader.read(LOGITS + "metrics: [accuracy]\ntraining: {early_stopping: {patience: 2}}");
    assertThat(check(LOGITS + "metrics: [accuracy]", List.of(64), DIGITS).spec().metrics()).containsExactly("accuracy");
    assertThat(SpecValidator.validateSettings(keras, keras.training(), DIGITS).earlyStopping())
        .isEqualTo(new EarlyStopping("val_accuracy", 2, 0.0));
    TrainingSettings noValidation =
        new TrainingSettings(null, null, 0.0, null, null, keras.training().earlyStopping(), null);
    assertThat(SpecValidator.validateSettings(keras, noValidation, DIGITS).earlyStopping().monitor())
        .isEqualTo("accuracy");
    ModelSpec plain = ModelSpecReader.read(LOGITS + "training: {early_stopping: {patience: 2}}");
    assertThat(SpecValidator.validateSettings(plain, plain.training(), DIGITS).earlyStopping().monitor())
        .isEqualTo("val_loss");
    assertThat(SpecValidator.validateSettings(plain.training(), DIGITS).earlyStopping().monitor())
        .isEqualTo("val_loss");
  }

  @Test
  void fromLogitsTrainsOnALinearOutputAndServesSoftmax() {
    ModelSpec spec = ModelSpecReader.read(LOGITS);
    assertThat(spec.loss()).isEqualTo(LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY);
    assertThat(spec.fromLogits()).isTrue();
    ResolvedSpec r = SpecValidator.validate(spec, List.of(64), DIGITS);
    NetworkPlan plan = NetworkPlan.of(r.spec(), DIGITS);
    assertThat(plan.head()).isEqualTo(NetworkPlan.Head.SOFTMAX);
    assertThat(plan.layers().getLast()).isEqualTo(new LayerSpec.Dense(10, Activation.LINEAR, true));
    // The flag survives writing (the job's lineage) and reads back equal.
    String yaml = ModelSpecWriter.toYaml(r.spec());
    assertThat(yaml).contains("from_logits: true");
    assertThat(ModelSpecReader.read(yaml)).isEqualTo(r.spec());
    assertThat(ModelSpecWriter.toJson(ModelSpecReader.read("loss: mse"))).contains("\"loss\":\"mse\"");

    ResolvedSpec binary =
        check(
            "layers: [{type: dense, units: 1}]\nloss: {name: binary_crossentropy, from_logits: true}",
            List.of(4),
            BINARY);
    assertThat(NetworkPlan.of(binary.spec(), BINARY).head()).isEqualTo(NetworkPlan.Head.SIGMOID);
  }

  @Test
  void fromLogitsRefusesAnOutputThatIsNotLogits() {
    rejects(
            "layers: [{type: dense, units: 10, activation: softmax}]\n"
                + "loss: {name: sparse_categorical_crossentropy, from_logits: true}",
            List.of(64),
            DIGITS)
        .hasMessage(
            "loss sparse_categorical_crossentropy has from_logits: true but the model ends in softmax; "
                + "drop the softmax (the exported model appends it)");
    rejects(
            "layers: [{type: dense, units: 10, activation: relu}]\n"
                + "loss: {name: categorical_crossentropy, from_logits: true}",
            List.of(64),
            DIGITS)
        .hasMessage(
            "loss categorical_crossentropy with from_logits: true needs logits, a last layer without activation; "
                + "the model ends in relu");
    rejects("layers: [{type: dense, units: 1}]\nloss: {name: mse, from_logits: true}", List.of(3), PRICE)
        .hasMessage("loss: from_logits applies to the cross-entropy losses, not mse");
    assertThatThrownBy(() -> ModelSpecReader.read("loss: {from_logits: true}"))
        .hasMessageStartingWith("loss: missing 'name'");
    // It belongs to the loss, as in Keras; at the top level it is an unknown key, not silently dropped.
    assertThatThrownBy(() -> ModelSpecReader.read("from_logits: true")).hasMessageStartingWith("spec: unknown field");
    assertThatThrownBy(() -> ModelSpecReader.read("metrics: [~]"))
        .hasMessageStartingWith("metrics: each metric must be a name");
  }

  @Test
  void channelsLastImagesAreReadChannelsFirst() {
    String cnn =
        "input_shape: %s\nlayers: [{type: conv2d, filters: 4}, {type: flatten}, {type: dense, units: 10}]\n"
            + "loss: {name: sparse_categorical_crossentropy, from_logits: true}";
    ResolvedSpec last = check(cnn.formatted("[28, 28, 3]"), List.of(3, 28, 28), DIGITS);
    assertThat(last.outputShapes().getFirst()).containsExactly(4, 26, 26);
    assertThat(last.spec().inputShape()).containsExactly(3, 28, 28);
    assertThat(check(cnn.formatted("[3, 28, 28]"), List.of(3, 28, 28), DIGITS).outputShapes())
        .isEqualTo(last.outputShapes());
    // The effective spec is what a job stores; it validates again to the same network.
    assertThat(SpecValidator.validate(last.spec(), List.of(3, 28, 28), DIGITS).layers()).isEqualTo(last.layers());
    rejects(cnn.formatted("[28, 28, 1]"), List.of(3, 28, 28), DIGITS)
        .hasMessage(
            "input_shape [28, 28, 1] does not match the data's examples, [3, 28, 28] (channels-last: [28, 28, 3])");
  }

  @Test
  void channelsLastOverFlatPixelsBecomesAReshape() {
    String cnn =
        "input_shape: %s\nlayers: [{type: conv2d, filters: 4}, {type: flatten}, {type: dense, units: 10}]\n"
            + "loss: {name: sparse_categorical_crossentropy, from_logits: true}";
    ResolvedSpec r = check(cnn.formatted("[8, 8, 1]"), List.of(64), DIGITS);
    assertThat(r.layers().getFirst()).isEqualTo(new LayerSpec.Reshape(List.of(1, 8, 8)));
    assertThat(r.outputShapes().get(1)).containsExactly(4, 6, 6);
    assertThat(SpecValidator.validate(r.spec(), List.of(64), DIGITS).layers()).isEqualTo(r.layers());
    rejects(cnn.formatted("[8, 8, 3]"), List.of(192), DIGITS)
        .hasMessageStartingWith("input_shape: channels-last [8, 8, 3] over flat columns would need a transpose");
    // Keras's Reshape((8, 8, 1)) before a convolution.
    ResolvedSpec reshaped =
        check(
            "layers: [{type: reshape, target_shape: [8, 8, 1]}, {type: conv2d, filters: 4}, {type: flatten},"
                + " {type: dense, units: 10, activation: softmax}]",
            List.of(64),
            DIGITS);
    assertThat(reshaped.layers().getFirst()).isEqualTo(new LayerSpec.Reshape(List.of(1, 8, 8)));
  }
}
