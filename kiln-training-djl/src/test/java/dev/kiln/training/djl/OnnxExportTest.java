package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.export.OnnxExporter;
import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.LayerSpec;
import dev.kiln.training.spec.LossSpec;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import dev.kiln.training.spec.OptimizerSpec;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported ONNX model, run by ONNX Runtime, gives the training engine's own predictions. */
class OnnxExportTest {
  private static final OptimizerSpec ADAM = OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01);

  @TempDir Path dir;

  @Test
  void mlpMatchesTheEngine() throws Exception {
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Dense(16, Activation.TANH, null),
                new LayerSpec.Dropout(0.2),
                new LayerSpec.BatchNormalization(null, null),
                new LayerSpec.Dense(8, Activation.SIGMOID, false),
                new LayerSpec.Dense(3, Activation.SOFTMAX, null)),
            ADAM,
            null,
            null),
        Synthetic.blobs(300, 4, 3, 1));
  }

  @Test
  void binarySigmoidModelGivesTwoProbabilities() throws Exception {
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(new LayerSpec.Dense(8, Activation.RELU, null), new LayerSpec.Dense(1, Activation.SIGMOID, null)),
            ADAM,
            LossSpec.BINARY_CROSSENTROPY,
            null),
        Synthetic.blobs(200, 4, 2, 2));
  }

  @Test
  void logisticAndLinearRegressionMatchTheEngine() throws Exception {
    assertSamePredictions(
        new ModelSpec(ModelType.LOGISTIC_REGRESSION, null, ADAM, null, null), Synthetic.blobs(200, 3, 3, 3));
    dir = dir.resolve("linear");
    assertSamePredictions(new ModelSpec(ModelType.LINEAR_REGRESSION, null, ADAM, null, null), Synthetic.line(200, 4));
  }

  @Test
  void cnnMatchesTheEngine() throws Exception {
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Reshape(List.of(1, 8, 8)),
                new LayerSpec.Conv2D(4, List.of(3), null, LayerSpec.Padding.SAME, Activation.RELU),
                new LayerSpec.BatchNormalization(null, null),
                new LayerSpec.MaxPooling2D(List.of(2), null),
                new LayerSpec.Conv2D(6, List.of(3, 1), List.of(1, 2), LayerSpec.Padding.VALID, Activation.RELU),
                new LayerSpec.Flatten(),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
            ADAM,
            null,
            null),
        flatBars());
  }

  @Test
  void lstmAndGruMatchTheEngine() throws Exception {
    for (LayerSpec rnn : List.of(new LayerSpec.Lstm(6, null), new LayerSpec.Gru(6, null))) {
      dir = dir.resolve(rnn.kind());
      assertSamePredictions(
          new ModelSpec(
              ModelType.SEQUENTIAL,
              List.of(new LayerSpec.Embedding(20, 5), rnn, new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
              ADAM,
              null,
              null),
          Synthetic.sequences(200, 6, 5));
    }
  }

  @Test
  void returnedSequencesFeedASecondRecurrentLayer() throws Exception {
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Embedding(20, 4),
                new LayerSpec.Gru(5, true),
                new LayerSpec.Lstm(3, false),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
            ADAM,
            null,
            null),
        Synthetic.sequences(200, 6, 6));
  }

  @Test
  void standaloneActivationLayersMatchTheEngine() throws Exception {
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Dense(8, null, null),
                new LayerSpec.ActivationLayer(Activation.RELU),
                new LayerSpec.Dense(8, Activation.LINEAR, null),
                new LayerSpec.ActivationLayer(Activation.TANH),
                new LayerSpec.Dense(6, null, null),
                new LayerSpec.ActivationLayer(Activation.SIGMOID),
                new LayerSpec.ActivationLayer(Activation.LINEAR),
                new LayerSpec.Dense(3, null, null),
                new LayerSpec.ActivationLayer(Activation.SOFTMAX)),
            ADAM,
            null,
            null),
        Synthetic.blobs(300, 4, 3, 8));
  }

  @Test
  void lstmReturningSequencesMatchesTheEngine() throws Exception {
    // Into a second recurrent layer, and flattened straight into a dense layer (the [batch, time, units] layout).
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Embedding(20, 4),
                new LayerSpec.Lstm(5, true),
                new LayerSpec.Gru(3, null),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
            ADAM,
            null,
            null),
        Synthetic.sequences(200, 6, 9));
    dir = dir.resolve("flattened");
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Embedding(20, 4),
                new LayerSpec.Lstm(3, true),
                new LayerSpec.Flatten(),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
            ADAM,
            null,
            null),
        Synthetic.sequences(200, 6, 10));
  }

  @Test
  void maxPoolingWithExplicitStridesMatchesTheEngine() throws Exception {
    // Overlapping windows (stride below the pool size) and a stride differing per axis.
    assertSamePredictions(
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Conv2D(3, List.of(3), null, LayerSpec.Padding.SAME, Activation.RELU),
                new LayerSpec.MaxPooling2D(List.of(3, 2), List.of(1, 2)),
                new LayerSpec.MaxPooling2D(List.of(2), List.of(2)),
                new LayerSpec.Flatten(),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
            ADAM,
            null,
            null),
        Synthetic.bars(200, 11));
  }

  /** The bars as 64 flat features, so the spec's reshape layer is exercised. */
  private static PreparedData flatBars() {
    PreparedData bars = Synthetic.bars(200, 7);
    return new PreparedData(
        bars.task(),
        List.of(64),
        bars.train(),
        bars.validation(),
        bars.test(),
        new Synthetic.Identity(List.of(64), dev.kiln.core.tensor.DataType.FP32),
        bars.source());
  }

  private void assertSamePredictions(ModelSpec spec, PreparedData data) throws Exception {
    TrainingSettings s = new TrainingSettings(3, 32, 0.1, 0.2, 7L, null, 1);
    try (TrainedModel m =
        EngineFixture.ENGINE.train(new TrainingPlan(spec, s, data, dir, TrainingListener.NONE, () -> false))) {
      NetworkPlan plan = NetworkPlan.of(spec, data.task());
      byte[] onnx = OnnxExporter.export(plan, m.params(), data, Map.of("kiln.test", "yes"));
      Examples rows = data.test();
      float[] expected = m.predictor().predict(rows);
      float[] actual =
          runOnnx(
              onnx,
              data,
              rows,
              plan.head() == NetworkPlan.Head.NONE ? OnnxExporter.PREDICTION : OnnxExporter.PROBABILITIES);
      assertThat(actual).hasSameSizeAs(expected);
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).as("output %d", i).isCloseTo(expected[i], within(1e-4f));
      }
    }
  }

  static float[] runOnnx(byte[] onnx, PreparedData data, Examples rows, String output) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = new long[data.inputShape().size() + 1];
    shape[0] = rows.count();
    for (int i = 0; i < data.inputShape().size(); i++) {
      shape[i + 1] = data.inputShape().get(i);
    }
    boolean ids = data.preprocessing().outputType() == dev.kiln.core.tensor.DataType.INT64;
    try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
        OnnxTensor input =
            ids
                ? OnnxTensor.createTensor(env, LongBuffer.wrap(toLongs(rows.features())), shape)
                : OnnxTensor.createTensor(env, FloatBuffer.wrap(rows.features()), shape);
        OrtSession.Result r = session.run(Map.of("input", input))) {
      OnnxTensor out = (OnnxTensor) r.get(output).orElseThrow();
      FloatBuffer fb = out.getFloatBuffer();
      float[] values = new float[fb.remaining()];
      fb.get(values);
      return values;
    }
  }

  private static long[] toLongs(float[] f) {
    long[] l = new long[f.length];
    for (int i = 0; i < f.length; i++) {
      l[i] = (long) f[i];
    }
    return l;
  }
}
