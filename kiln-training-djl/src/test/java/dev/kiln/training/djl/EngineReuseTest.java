package dev.kiln.training.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.training.data.PreparedData;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.LayerSpec;
import dev.kiln.training.spec.LossSpec;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import dev.kiln.training.spec.OptimizerSpec;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One engine trains many jobs in a server, each on whichever thread the job pool hands it: the engine was loaded on the
 * first job's thread, later jobs may run on threads libtorch has never seen. Nothing a job leaves behind (libtorch's
 * thread-local grad mode, optimizer state, random state) may change how the next one trains.
 */
class EngineReuseTest {
  @TempDir Path dir;

  /** A layer kind the server trains, with data it can learn from. */
  record Kind(String name, Supplier<PreparedData> data, List<LayerSpec> layers) {}

  static List<Kind> kinds() {
    return List.of(
        new Kind(
            "mlp",
            () -> Synthetic.blobs(120, 4, 3, 21),
            List.of(
                new LayerSpec.Dense(8, null, null), new LayerSpec.ActivationLayer(Activation.TANH),
                new LayerSpec.Dropout(0.1), new LayerSpec.Dense(3, Activation.SOFTMAX, null))),
        new Kind(
            "cnn",
            () -> Synthetic.bars(120, 22),
            List.of(
                new LayerSpec.Conv2D(2, List.of(3), null, LayerSpec.Padding.SAME, Activation.RELU),
                new LayerSpec.BatchNormalization(null, null),
                new LayerSpec.MaxPooling2D(List.of(2), List.of(2)),
                new LayerSpec.Flatten(),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null))),
        new Kind(
            "lstm",
            () -> Synthetic.sequences(120, 6, 23),
            List.of(
                new LayerSpec.Embedding(20, 4),
                new LayerSpec.Lstm(4, true),
                new LayerSpec.Lstm(4, null),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null))),
        new Kind(
            "gru",
            () -> Synthetic.sequences(120, 6, 24),
            List.of(
                new LayerSpec.Embedding(20, 4),
                new LayerSpec.Gru(4, null),
                new LayerSpec.Dense(2, Activation.SOFTMAX, null))));
  }

  @Test
  void everyOptimizerTrainsAfterEveryLayerKindOnFreshAndReusedThreads() throws Exception {
    List<String> failures = new ArrayList<>();
    int job = 0;
    // A cached pool, as the server's job runner uses: some jobs reuse a thread, others get a new one.
    ExecutorService reused = Executors.newSingleThreadExecutor();
    try {
      for (Kind kind : kinds()) {
        for (OptimizerSpec.Name optimizer : OptimizerSpec.Name.values()) {
          for (boolean fresh : new boolean[] {true, false}) {
            String what = kind.name() + " then " + optimizer + (fresh ? " on a new thread" : " on a reused thread");
            Path checkpoints = dir.resolve("job-" + job++);
            ModelSpec spec =
                new ModelSpec(
                    ModelType.SEQUENTIAL,
                    kind.layers(),
                    OptimizerSpec.of(optimizer, 0.01),
                    LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY,
                    null);
            TrainingPlan plan =
                new TrainingPlan(
                    spec,
                    new TrainingSettings(2, 16, 0.1, 0.2, 7L, null, 1),
                    kind.data().get(),
                    checkpoints,
                    TrainingListener.NONE,
                    () -> false);
            CompletableFuture<List<EpochMetrics>> run = new CompletableFuture<>();
            Runnable train =
                () -> {
                  try (TrainedModel m = EngineFixture.ENGINE.train(plan)) {
                    run.complete(m.history());
                  } catch (Throwable e) {
                    run.completeExceptionally(e);
                  }
                };
            if (fresh) {
              Thread.ofPlatform().name("job-" + job).start(train);
            } else {
              reused.execute(train);
            }
            try {
              List<EpochMetrics> history = run.get(5, TimeUnit.MINUTES);
              assertThat(history).as(what).hasSize(2).allMatch(e -> Double.isFinite(e.loss()));
            } catch (java.util.concurrent.ExecutionException e) {
              failures.add(what + ": " + e.getCause().getMessage());
            }
          }
        }
      }
    } finally {
      reused.shutdownNow();
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void twoJobsTrainAtOnce() throws Exception {
    // --training-jobs 2: both runs step at the same time on two threads of one engine.
    List<CompletableFuture<List<EpochMetrics>>> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Kind kind = kinds().get(i * 3);
      ModelSpec spec =
          new ModelSpec(
              ModelType.SEQUENTIAL,
              kind.layers(),
              OptimizerSpec.of(OptimizerSpec.Name.RMSPROP, 0.01),
              LossSpec.SPARSE_CATEGORICAL_CROSSENTROPY,
              null);
      TrainingPlan plan =
          new TrainingPlan(
              spec,
              new TrainingSettings(30, 8, 0.1, 0.2, 7L, null, 100),
              kind.data().get(),
              dir.resolve("together-" + i),
              TrainingListener.NONE,
              () -> false);
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                try (TrainedModel m = EngineFixture.ENGINE.train(plan)) {
                  return m.history();
                } catch (Exception e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              },
              r -> Thread.ofPlatform().start(r)));
    }
    for (CompletableFuture<List<EpochMetrics>> run : runs) {
      assertThat(run.get(5, TimeUnit.MINUTES)).hasSize(30);
    }
  }
}
