package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.training.data.PreparedData;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.Param;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.EarlyStopping;
import dev.kiln.training.spec.LayerSpec;
import dev.kiln.training.spec.LossSpec;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import dev.kiln.training.spec.OptimizerSpec;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DjlTrainingEngineTest {
  @TempDir Path dir;

  static TrainingSettings settings(int epochs, int batch) {
    return new TrainingSettings(epochs, batch, 0.1, 0.2, 7L, null, 1);
  }

  TrainedModel train(ModelSpec spec, TrainingSettings s, PreparedData data) throws TrainingException {
    return train(spec, s, data, TrainingListener.NONE, () -> false);
  }

  TrainedModel train(
      ModelSpec spec,
      TrainingSettings s,
      PreparedData data,
      TrainingListener l,
      java.util.function.BooleanSupplier cancelled)
      throws TrainingException {
    return EngineFixture.ENGINE.train(new TrainingPlan(spec, s, data, dir.resolve("ckpt"), l, cancelled));
  }

  static ModelSpec mlp(OptimizerSpec optimizer, LossSpec loss, int classes) {
    return new ModelSpec(
        ModelType.SEQUENTIAL,
        List.of(
            new LayerSpec.Dense(16, Activation.RELU, null),
            loss == LossSpec.BINARY_CROSSENTROPY
                ? new LayerSpec.Dense(1, Activation.SIGMOID, null)
                : new LayerSpec.Dense(classes, Activation.SOFTMAX, null)),
        optimizer,
        loss,
        null);
  }

  static double accuracy(TrainedModel model, PreparedData data) {
    float[] p = model.predictor().predict(data.test());
    int k = data.task().classCount();
    int correct = 0;
    for (int i = 0; i < data.test().count(); i++) {
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (p[i * k + c] > p[i * k + best]) {
          best = c;
        }
      }
      correct += best == (int) data.test().targets()[i] ? 1 : 0;
    }
    return (double) correct / data.test().count();
  }

  @Test
  void linearRegressionRecoversSlopeAndIntercept() throws Exception {
    PreparedData line = Synthetic.line(400, 1);
    ModelSpec spec =
        new ModelSpec(ModelType.LINEAR_REGRESSION, null, OptimizerSpec.of(OptimizerSpec.Name.SGD, 0.1), null, null);
    try (TrainedModel m = train(spec, settings(60, 16), line)) {
      Param w = m.params().get(0).get("weight");
      Param b = m.params().get(0).get("bias");
      assertThat(w.values()[0]).isCloseTo(2f, within(0.05f));
      assertThat(b.values()[0]).isCloseTo(1f, within(0.05f));
      assertThat(m.history()).hasSize(60);
      assertThat(m.history().get(59).valLoss()).isLessThan(0.01);
      assertThat(m.history().get(59).accuracy()).isNaN();
    }
  }

  @ParameterizedTest
  @EnumSource(OptimizerSpec.Name.class)
  void everyOptimizerLearnsBlobs(OptimizerSpec.Name name) throws Exception {
    PreparedData blobs = Synthetic.blobs(600, 4, 3, 2);
    double lr =
        switch (name) {
          case SGD -> 0.05;
          case ADAGRAD -> 0.05;
          case RMSPROP, ADAM -> 0.01;
        };
    try (TrainedModel m =
        train(mlp(OptimizerSpec.of(name, lr), LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, 3), settings(15, 32), blobs)) {
      assertThat(accuracy(m, blobs)).as(name.toString()).isGreaterThanOrEqualTo(0.95);
    }
  }

  @Test
  void sgdWithMomentumAndWeightDecayLearns() throws Exception {
    PreparedData blobs = Synthetic.blobs(600, 4, 3, 3);
    OptimizerSpec sgd = new OptimizerSpec(OptimizerSpec.Name.SGD, 0.02, 0.9, 1e-4, null, null, null, null);
    try (TrainedModel m = train(mlp(sgd, LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, 3), settings(15, 32), blobs)) {
      assertThat(accuracy(m, blobs)).isGreaterThanOrEqualTo(0.95);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = LossSpec.class,
      names = {"CATEGORICAL_CROSSENTROPY", "BINARY_CROSSENTROPY"})
  void classificationLossesLearn(LossSpec loss) throws Exception {
    PreparedData blobs = Synthetic.blobs(400, 4, 2, 4);
    try (TrainedModel m =
        train(mlp(OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01), loss, 2), settings(15, 32), blobs)) {
      assertThat(accuracy(m, blobs)).isGreaterThanOrEqualTo(0.95);
      float[] p = m.predictor().predict(blobs.test().slice(0, 1));
      assertThat(p).hasSize(2);
      assertThat(p[0] + p[1]).isCloseTo(1f, within(1e-5f));
    }
  }

  @Test
  void logisticRegressionSeparatesTwoClasses() throws Exception {
    PreparedData blobs = Synthetic.blobs(400, 3, 2, 5);
    ModelSpec spec =
        new ModelSpec(ModelType.LOGISTIC_REGRESSION, null, OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.05), null, null);
    try (TrainedModel m = train(spec, settings(20, 32), blobs)) {
      assertThat(m.params().get(0).get("weight").shape()).containsExactly(1, 3);
      assertThat(accuracy(m, blobs)).isGreaterThanOrEqualTo(0.95);
    }
  }

  @Test
  void cnnWithBatchNormAndDropoutLearnsBars() throws Exception {
    PreparedData bars = Synthetic.bars(400, 6);
    ModelSpec spec =
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(
                new LayerSpec.Conv2D(4, List.of(3), null, LayerSpec.Padding.SAME, Activation.RELU),
                new LayerSpec.BatchNormalization(null, null),
                new LayerSpec.MaxPooling2D(List.of(2), null),
                new LayerSpec.Flatten(),
                new LayerSpec.Dropout(0.1),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
            OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01),
            LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY,
            null);
    try (TrainedModel m = train(spec, settings(10, 32), bars)) {
      assertThat(m.params().get(0).get("weight").shape()).containsExactly(4, 1, 3, 3);
      assertThat(m.params().get(1)).containsKeys("gamma", "beta", "running_mean", "running_var");
      assertThat(accuracy(m, bars)).isGreaterThanOrEqualTo(0.95);
    }
  }

  @ParameterizedTest
  @EnumSource(value = RecurrentKind.class)
  void embeddingAndRecurrentLayersLearnOrder(RecurrentKind kind) throws Exception {
    PreparedData seqs = Synthetic.sequences(1200, 8, 8);
    LayerSpec rnn = kind == RecurrentKind.LSTM ? new LayerSpec.Lstm(16, null) : new LayerSpec.Gru(16, null);
    ModelSpec spec =
        new ModelSpec(
            ModelType.SEQUENTIAL,
            List.of(new LayerSpec.Embedding(20, 8), rnn, new LayerSpec.Dense(2, Activation.SOFTMAX, null)),
            OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01),
            null,
            null);
    try (TrainedModel m = train(spec, settings(12, 32), seqs)) {
      int gates = kind == RecurrentKind.LSTM ? 4 : 3;
      assertThat(m.params().get(0).get("weight").shape()).containsExactly(20, 8);
      assertThat(m.params().get(1)).containsOnlyKeys("w_ih", "w_hh", "b_ih", "b_hh");
      assertThat(m.params().get(1).get("w_ih").shape()).containsExactly(gates * 16, 8);
      assertThat(m.params().get(1).get("w_hh").shape()).containsExactly(gates * 16, 16);
      assertThat(accuracy(m, seqs)).isGreaterThanOrEqualTo(0.9);
    }
  }

  enum RecurrentKind {
    LSTM,
    GRU
  }

  @Test
  void reportsStepsAndEpochs() throws Exception {
    List<EpochMetrics> epochs = new ArrayList<>();
    List<dev.kiln.training.engine.StepProgress> steps = new ArrayList<>();
    TrainingListener l =
        new TrainingListener() {
          @Override
          public void onStep(dev.kiln.training.engine.StepProgress s) {
            steps.add(s);
          }

          @Override
          public void onEpoch(EpochMetrics e) {
            epochs.add(e);
          }
        };
    PreparedData blobs = Synthetic.blobs(300, 4, 3, 9);
    try (TrainedModel m =
        train(
            mlp(OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01), LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, 3),
            settings(3, 32),
            blobs,
            l,
            () -> false)) {
      assertThat(epochs).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
      assertThat(epochs.get(2).loss()).isLessThan(epochs.get(0).loss());
      assertThat(epochs.get(2).valAccuracy()).isBetween(0.0, 1.0);
      assertThat(steps).isNotEmpty().allMatch(s -> s.steps() == 7 && s.examplesPerSecond() > 0);
      assertThat(steps.get(steps.size() - 1).step()).isEqualTo(7);
    }
  }

  @Test
  void sameSeedGivesSameWeights() throws Exception {
    PreparedData blobs = Synthetic.blobs(300, 4, 3, 10);
    ModelSpec spec = mlp(OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01), LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, 3);
    float[] first;
    try (TrainedModel m = train(spec, settings(2, 32), blobs)) {
      first = m.params().get(0).get("weight").values();
    }
    dir = dir.resolve("again");
    try (TrainedModel m = train(spec, settings(2, 32), blobs)) {
      assertThat(m.params().get(0).get("weight").values()).containsExactly(first);
    }
  }

  @Test
  void cancellationStopsTheRun() {
    AtomicBoolean cancel = new AtomicBoolean();
    TrainingListener l =
        new TrainingListener() {
          @Override
          public void onEpoch(EpochMetrics e) {
            cancel.set(true);
          }
        };
    PreparedData blobs = Synthetic.blobs(300, 4, 3, 11);
    assertThatThrownBy(() ->
            train(
                mlp(OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01), LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, 3),
                settings(50, 32),
                blobs,
                l,
                cancel::get))
        .isInstanceOf(TrainingException.Cancelled.class);
  }

  @Test
  void interruptedRunResumesFromItsLastCheckpoint() throws Exception {
    PreparedData blobs = Synthetic.blobs(300, 4, 3, 12);
    ModelSpec spec = mlp(OptimizerSpec.of(OptimizerSpec.Name.SGD, 0.05), LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, 3);
    AtomicBoolean crash = new AtomicBoolean();
    TrainingListener crashAfter3 =
        new TrainingListener() {
          @Override
          public void onEpoch(EpochMetrics e) {
            crash.set(e.epoch() == 3);
          }
        };
    assertThatThrownBy(() -> train(spec, settings(6, 32), blobs, crashAfter3, crash::get))
        .isInstanceOf(TrainingException.Cancelled.class);
    List<Integer> resumedAt = new ArrayList<>();
    TrainingListener l =
        new TrainingListener() {
          @Override
          public void onResumed(int fromEpoch) {
            resumedAt.add(fromEpoch);
          }
        };
    try (TrainedModel m = train(spec, settings(6, 32), blobs, l, () -> false)) {
      assertThat(resumedAt).containsExactly(4);
      assertThat(m.history()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(accuracy(m, blobs)).isGreaterThanOrEqualTo(0.9);
    }
  }

  @Test
  void earlyStoppingStopsAfterPatienceAndKeepsTheBestEpoch() throws Exception {
    PreparedData blobs = Synthetic.blobs(300, 4, 3, 13);
    ModelSpec spec = mlp(OptimizerSpec.of(OptimizerSpec.Name.ADAM, 0.01), LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY, 3);
    // No epoch can improve validation loss by 10: epoch 1 is the best, and patience 2 stops after epoch 3.
    TrainingSettings s = new TrainingSettings(40, 32, 0.1, 0.2, 7L, new EarlyStopping("val_loss", 2, 10.0), 100);
    float[] epochOneWeights;
    try (TrainedModel m = train(spec, s, blobs)) {
      assertThat(m.stoppedEarly()).isTrue();
      assertThat(m.history()).hasSize(3);
      assertThat(m.bestEpoch()).isEqualTo(1);
      epochOneWeights = m.params().get(0).get("weight").values();
    }
    dir = dir.resolve("one-epoch");
    try (TrainedModel one = train(spec, new TrainingSettings(1, 32, 0.1, 0.2, 7L, null, 1), blobs)) {
      assertThat(epochOneWeights).containsExactly(one.params().get(0).get("weight").values());
    }
  }

  @Test
  void denseOnAnImageNamesTheLayer() {
    PreparedData bars = Synthetic.bars(100, 14);
    ModelSpec spec =
        new ModelSpec(
            ModelType.SEQUENTIAL, List.of(new LayerSpec.Dense(2, Activation.SOFTMAX, null)), null, null, null);
    assertThatThrownBy(() -> train(spec, settings(1, 32), bars))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("layer 1 (dense)");
  }
}
