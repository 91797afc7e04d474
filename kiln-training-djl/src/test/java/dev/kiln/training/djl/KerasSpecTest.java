package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.tensor.DataType;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetPreparer;
import dev.kiln.training.data.DatasetReader;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.SampleData;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.export.OnnxExporter;
import dev.kiln.training.spec.LayerSpec;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.ResolvedSpec;
import dev.kiln.training.spec.SpecValidator;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CNN spec as a Keras user writes it, trained on scikit-learn's 8x8 digits and exported. */
class KerasSpecTest {
  /** The seed article's model in spec form: channels-last input, bare adam, logits, metrics: [accuracy]. */
  private static final Path KERAS_CNN = Path.of("..", "examples", "keras-cnn.yaml");

  @TempDir Path dir;

  @Test
  void kerasCnnTrainsOnDigitsAndExportsProbabilities() throws Exception {
    PreparedData digits = digits();
    ModelSpec spec = ModelSpecReader.read(KERAS_CNN);
    ResolvedSpec resolved = SpecValidator.validate(spec, digits.inputShape(), digits.task());
    TrainingSettings settings = SpecValidator.validateSettings(spec, spec.training(), digits.task());
    // 64 pixel columns declared [8, 8, 1] channels-last: one channel, so a reshape to [1, 8, 8].
    assertThat(resolved.layers().getFirst()).isEqualTo(new LayerSpec.Reshape(List.of(1, 8, 8)));
    assertThat(settings.earlyStopping().monitor()).isEqualTo("val_accuracy");

    try (TrainedModel m =
        EngineFixture.ENGINE.train(
            new TrainingPlan(resolved.spec(), settings, digits, dir, TrainingListener.NONE, () -> false))) {
      assertThat(DjlTrainingEngineTest.accuracy(m, digits)).isGreaterThanOrEqualTo(0.93);
      NetworkPlan plan = NetworkPlan.of(resolved.spec(), digits.task());
      assertThat(plan.head()).isEqualTo(NetworkPlan.Head.SOFTMAX);
      float[] expected = m.predictor().predict(digits.test());
      float[] served =
          OnnxExportTest.runOnnx(
              OnnxExporter.export(plan, m.params(), digits, Map.of()),
              digits,
              digits.test(),
              OnnxExporter.PROBABILITIES);
      assertThat(served).hasSameSizeAs(expected);
      for (int row = 0; row < digits.test().count(); row++) {
        double sum = 0;
        for (int c = 0; c < 10; c++) {
          sum += served[row * 10 + c];
          assertThat(served[row * 10 + c]).isCloseTo(expected[row * 10 + c], within(1e-4f));
        }
        assertThat(sum).as("row %d's probabilities", row).isCloseTo(1, within(1e-4));
      }
    }
  }

  /** The digits CSV standardised as a job would, fed to the model as its 64 prepared features. */
  private PreparedData digits() {
    DatasetOptions read = DatasetOptions.csv("digit");
    PreparedData d =
        DatasetPreparer.prepare(
            DatasetReader.read(SampleData.digitsCsv(dir), read),
            read.task(),
            PrepareOptions.defaults(),
            new DatasetRef("digits", 1, "00"));
    return new PreparedData(
        d.task(),
        d.inputShape(),
        d.train(),
        d.validation(),
        d.test(),
        new Synthetic.Identity(d.inputShape(), DataType.FP32),
        d.source());
  }
}
