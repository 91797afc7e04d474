package dev.kiln.training.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.ErrorMetrics;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.StepProgress;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.spec.EarlyStopping;
import dev.kiln.training.spec.TrainingSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Kiln's epoch loop over a DJL trainer: seeded shuffling, per-step progress, validation, checkpoints, early stopping
 * and cancellation. Kiln owns the loop rather than using DJL's {@code EasyTrain} so that a job can be cancelled between
 * steps and resumed at an epoch boundary with the same shuffle order as an uninterrupted run.
 */
final class TrainingLoop {
  /** Step progress is reported at most this often, so a fast loop does not flood listeners. */
  private static final long STEP_REPORT_NANOS = 100_000_000L;

  private final TrainingPlan plan;
  private final NetworkPlan network;
  private final Trainer trainer;
  private final Runnable updateWeights;
  private final Loss loss;
  private final Batches train;
  private final Batches validation;
  private final TrainingSettings settings;
  private final boolean mae;
  private final double targetSd;

  /** What the loop ended with. */
  record Outcome(List<EpochMetrics> history, int bestEpoch, boolean stoppedEarly, String bestWeights) {}

  /**
   * @param targetSd the standard deviation a linear regression's target was divided by ({@link TargetScale}), 1
   *     otherwise: the error metrics are reported in the target's units
   * @param updateWeights applies one step's gradients to the weights and zeroes the gradients: {@code trainer::step},
   *     or Kiln's own update ({@link Optimizers#direct})
   */
  TrainingLoop(
      TrainingPlan plan,
      NetworkPlan network,
      Trainer trainer,
      Runnable updateWeights,
      Loss loss,
      Batches train,
      Batches validation,
      double targetSd) {
    this.plan = plan;
    this.targetSd = targetSd;
    // Only when listed: the absolute error is one more reduction per step.
    this.mae = network.head() == NetworkPlan.Head.NONE && ErrorMetrics.wantsMae(plan.spec().metrics());
    this.network = network;
    this.trainer = trainer;
    this.updateWeights = updateWeights;
    this.loss = loss;
    this.train = train;
    this.validation = validation;
    this.settings = plan.settings();
  }

  Outcome run(Checkpoint resumeFrom) throws TrainingException, IOException {
    EarlyStopping stopping = settings.earlyStopping();
    List<EpochMetrics> history = new ArrayList<>();
    int firstEpoch = 1;
    int bestEpoch = 0;
    double best = Double.NaN;
    int since = 0;
    String bestWeights = null;
    if (resumeFrom != null) {
      history.addAll(resumeFrom.history());
      firstEpoch = resumeFrom.epoch() + 1;
      bestEpoch = resumeFrom.bestEpoch();
      best = resumeFrom.best();
      since = resumeFrom.sinceImprovement();
      bestWeights = resumeFrom.bestWeights();
      plan.listener().onResumed(firstEpoch);
    }
    int epochs = settings.epochs();
    for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
      EpochMetrics m = epoch(epoch, epochs);
      history.add(m);
      plan.listener().onEpoch(m);
      boolean improved = false;
      if (stopping != null) {
        double v = m.get(stopping.monitor());
        improved =
            Double.isNaN(best)
                || (stopping.higherIsBetter() ? v > best + stopping.minDelta() : v < best - stopping.minDelta());
        if (improved) {
          best = v;
          bestEpoch = epoch;
          since = 0;
        } else {
          since++;
        }
      } else {
        bestEpoch = epoch;
      }
      boolean stop = stopping != null && since >= stopping.patience();
      boolean last = epoch == epochs || stop;
      if (last || epoch % settings.checkpointEvery() == 0 || improved) {
        Checkpoint c =
            Checkpoint.write(
                plan.checkpoints(),
                trainer.getModel().getBlock(),
                new Checkpoint(epoch, history, bestEpoch, best, since, null, bestWeights),
                improved);
        bestWeights = c.bestWeights();
        plan.listener().onCheckpoint(epoch);
      }
      if (stop) {
        return new Outcome(history, bestEpoch, true, bestWeights);
      }
    }
    return new Outcome(history, bestEpoch, false, bestWeights);
  }

  private EpochMetrics epoch(int epoch, int epochs) throws TrainingException {
    int n = train.count();
    int batch = settings.batchSize();
    int steps = (n + batch - 1) / batch;
    // Seeded by epoch, so a resumed run shuffles epoch e exactly as an uninterrupted one would.
    int[] order = shuffled(n, new Random(settings.seed() * 1_000_003L + epoch));
    long start = System.nanoTime();
    long lastReport = start;
    boolean classes = network.head() != NetworkPlan.Head.NONE;
    boolean sigmoid = network.head() == NetworkPlan.Head.SIGMOID;
    // The running loss (of full batches, mean per row) stays in the engine and is read only when progress is
    // reported: reading a scalar back costs about as much as a small layer's forward pass. The correct count is taken
    // from the logits in Java: one copy of a batch's logits costs a quarter of the four engine calls that counted
    // there (BENCHMARKS.md, training).
    try (NDManager epochScope = trainer.getManager().newSubManager()) {
      NDArray lossSum = epochScope.zeros(new Shape());
      long correct = 0;
      NDArray absolute = epochScope.zeros(new Shape());
      double readLoss = 0;
      for (int step = 0; step < steps; step++) {
        if (plan.cancelled().getAsBoolean()) {
          throw new TrainingException.Cancelled();
        }
        int from = step * batch;
        int to = Math.min(n, from + batch);
        try (NDManager m = trainer.getManager().newSubManager()) {
          NDArray x = train.features(m, order, from, to);
          NDArray y = train.labels(m, order, from, to);
          NDArray out;
          NDArray l;
          try (GradMode recording = GradMode.recording()) {
            out = trainer.forward(new NDList(x)).singletonOrThrow();
            l = loss.evaluate(new NDList(y), new NDList(out));
            recording.backward(l);
          }
          updateWeights.run();
          lossSum.addi(to - from == batch ? l : l.mul((float) (to - from) / batch));
          if (classes) {
            correct += train.correct(out.toFloatArray(), sigmoid, order, from, to);
          } else if (mae) {
            absolute.addi(absoluteError(out, y));
          }
        }
        long now = System.nanoTime();
        if (now - lastReport >= STEP_REPORT_NANOS || step == steps - 1) {
          lastReport = now;
          int seen = Math.min(n, (step + 1) * batch);
          readLoss = (double) lossSum.getFloat() * batch;
          if (!Double.isFinite(readLoss)) {
            throw new TrainingException(
                "the loss became "
                    + readLoss
                    + " in epoch "
                    + epoch
                    + " (by step "
                    + (step + 1)
                    + "); lower the learning rate or scale the inputs");
          }
          double elapsed = (now - start) / 1e9;
          plan.listener()
              .onStep(new StepProgress(epoch, epochs, step + 1, steps, readLoss / seen, seen / elapsed, elapsed));
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double accuracy = classes ? (double) correct / n : Double.NaN;
      double[] val =
          validation == null || validation.count() == 0
              ? new double[] {Double.NaN, Double.NaN, Double.NaN}
              : evaluate(validation);
      double sd2 = targetSd * targetSd;
      double trainMae = mae ? absolute.getFloat() / n * targetSd : Double.NaN;
      return new EpochMetrics(
          epoch,
          epochs,
          readLoss / n,
          accuracy,
          val[0],
          val[1],
          seconds,
          ErrorMetrics.of(
              plan.spec().metrics(),
              new double[] {readLoss / n * sd2, trainMae},
              new double[] {val[0] * sd2, val[2] * targetSd}));
    }
  }

  /** Loss, accuracy and (when listed) mean absolute error over a whole split, in inference mode. */
  double[] evaluate(Batches data) {
    int n = data.count();
    int[] order = Batches.identity(n);
    int batch = Math.max(settings.batchSize(), 256);
    double lossSum = 0;
    double absolute = 0;
    long correct = 0;
    for (int from = 0; from < n; from += batch) {
      int to = Math.min(n, from + batch);
      try (NDManager m = trainer.getManager().newSubManager()) {
        NDArray out = trainer.evaluate(new NDList(data.features(m, order, from, to))).singletonOrThrow();
        lossSum +=
            (double) loss.evaluate(new NDList(data.labels(m, order, from, to)), new NDList(out)).getFloat()
                * (to - from);
        if (network.head() != NetworkPlan.Head.NONE) {
          correct += correctCount(out, data.classIds(m, order, from, to)).getLong();
        } else if (mae) {
          absolute += absoluteError(out, data.labels(m, order, from, to)).getFloat();
        }
      }
    }
    boolean regression = network.head() == NetworkPlan.Head.NONE;
    return new double[] {lossSum / n, regression ? Double.NaN : (double) correct / n, mae ? absolute / n : Double.NaN};
  }

  /** The sum of absolute errors of a regression batch, as an engine scalar. */
  private static NDArray absoluteError(NDArray out, NDArray targets) {
    return out.reshape(-1).sub(targets.reshape(-1)).abs().sum();
  }

  /** How many rows the logits classify correctly, as an engine scalar. */
  private NDArray correctCount(NDArray logits, NDArray classIds) {
    NDArray predicted =
        network.head() == NetworkPlan.Head.SIGMOID
            ? logits.gt(0).toType(DataType.INT64, false).reshape(-1)
            : logits.argMax(1);
    return predicted.eq(classIds).countNonzero();
  }

  private static int[] shuffled(int n, Random random) {
    int[] order = Batches.identity(n);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
