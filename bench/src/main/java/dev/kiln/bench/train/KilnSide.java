package dev.kiln.bench.train;

import ai.djl.pytorch.jni.JniUtils;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.Task;
import dev.kiln.training.djl.DjlTrainingEngine;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.spec.TrainingSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Trains through Kiln's public training API, as a Kiln job does, and measures what the engine reports. */
final class KilnSide {
  private final Path workDir;
  private final Path djlCache;
  private final Map<Net, PreparedData> data = new EnumMap<>(Net.class);
  private final Map<Integer, DjlTrainingEngine> engines = new HashMap<>();
  private int runs;

  KilnSide(StrokeDigits digits, Path workDir, Path djlCache) {
    this.workDir = workDir;
    this.djlCache = djlCache;
    for (Net net : Net.values()) {
      data.put(net, prepared(digits, net));
    }
  }

  String engineName() {
    return engine(1).name();
  }

  Run train(Net net, Settings s, int threads, int repetition) throws TrainingException, IOException {
    // A fresh, empty checkpoint folder each run: a folder with a checkpoint would make the engine resume.
    Path checkpoints = Files.createDirectories(workDir.resolve("kiln-run-" + (++runs)));
    TrainingSettings settings =
        new TrainingSettings(s.epochs(), s.batchSize(), 0.0, 0.0, s.seed() + repetition, null, s.epochs());
    PreparedData d = data.get(net);
    List<Double> cpu = new ArrayList<>();
    ThreadMXBean clock = ManagementFactory.getThreadMXBean();
    long[] last = {clock.getCurrentThreadCpuTime()};
    // The engine trains on this thread and calls listeners on it, right after each epoch's loop.
    TrainingListener cpuClock =
        new TrainingListener() {
          @Override
          public void onEpoch(EpochMetrics epoch) {
            long now = clock.getCurrentThreadCpuTime();
            cpu.add((now - last[0]) / 1e9);
            last[0] = now;
          }
        };
    TrainingPlan plan = new TrainingPlan(net.spec(s.learningRate()), settings, d, checkpoints, cpuClock, () -> false);
    try (TrainedModel model = engine(threads).train(plan)) {
      if (JniUtils.getNumThreads() != threads) {
        throw new IllegalStateException(
            "libtorch ran with " + JniUtils.getNumThreads() + " threads, asked for " + threads);
      }
      List<Double> seconds = model.history().stream().map(EpochMetrics::seconds).toList();
      return new Run(Run.Side.KILN, net, threads, repetition, seconds, cpu, accuracy(model, d.test()));
    }
  }

  private DjlTrainingEngine engine(int threads) {
    return engines.computeIfAbsent(threads, t -> new DjlTrainingEngine(djlCache, t));
  }

  private static double accuracy(TrainedModel model, Examples test) {
    float[] p = model.predictor().predict(test);
    int k = StrokeDigits.CLASSES;
    int correct = 0;
    for (int i = 0; i < test.count(); i++) {
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (p[i * k + c] > p[i * k + best]) {
          best = c;
        }
      }
      correct += best == (int) test.targets()[i] ? 1 : 0;
    }
    return (double) correct / test.count();
  }

  private static PreparedData prepared(StrokeDigits d, Net net) {
    List<String> classes = IntStream.range(0, StrokeDigits.CLASSES).mapToObj(Integer::toString).toList();
    Examples none = new Examples(new float[0], new float[0], 0);
    return new PreparedData(
        Task.classification("class", classes),
        net.inputShape(),
        examples(d.trainX(), d.trainY()),
        none,
        examples(d.testX(), d.testY()),
        new Identity(net.inputShape()),
        new DatasetRef("stroke-digits", 1, "0".repeat(64)));
  }

  private static Examples examples(float[] x, int[] y) {
    float[] targets = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      targets[i] = y[i];
    }
    return new Examples(x, targets, y.length);
  }
}
