package dev.kiln.training.spec;

import dev.kiln.training.data.Task;
import java.util.List;
import java.util.Optional;

/** Ranges for the optimizer's and the training run's numbers; messages name the spec key at fault. */
final class HyperparameterRules {

  private HyperparameterRules() {}

  /**
   * Keras's {@code compile(metrics=[...])}, by any of Keras's names ({@link Metric}): the epoch loop reports the loss,
   * accuracy for classifiers, and the error metrics listed for regression; the test split's evaluation is complete
   * whatever the spec lists.
   */
  static void checkMetrics(List<String> metrics, Task task) {
    for (String name : metrics) {
      Metric metric =
          Metric.of(name)
              .orElseThrow(() ->
                  SpecException.at(
                      "metrics", "metrics: unknown metric '" + name + "' (allowed: " + Metric.allowed() + ")"));
      if (metric == Metric.ACCURACY && !task.classification()) {
        throw SpecException.at("metrics", "metrics: " + name + " needs a classification task; use loss");
      }
      if (metric != Metric.LOSS && metric != Metric.ACCURACY && task.classification()) {
        throw SpecException.at("metrics", "metrics: " + name + " needs a regression task; use accuracy or loss");
      }
    }
  }

  static void checkOptimizer(OptimizerSpec o) {
    String name = "optimizer (" + SpecMappers.JSON.convertValue(o.name(), String.class) + ")";
    require(
        o.learningRate() > 0 && Double.isFinite(o.learningRate()), name, "learning_rate must be > 0", o.learningRate());
    require(unit(o.momentum()), name, "momentum must be in [0, 1)", o.momentum());
    // Only SGD has a momentum term; elsewhere the value would be silently ignored.
    require(
        o.name() == OptimizerSpec.Name.SGD || o.momentum() == 0,
        name,
        "momentum applies to sgd only, got",
        o.momentum());
    require(
        o.weightDecay() >= 0 && Double.isFinite(o.weightDecay()), name, "weight_decay must be >= 0", o.weightDecay());
    require(unit(o.beta1()), name, "beta1 must be in [0, 1)", o.beta1());
    require(unit(o.beta2()), name, "beta2 must be in [0, 1)", o.beta2());
    require(unit(o.rho()), name, "rho must be in [0, 1)", o.rho());
    require(o.epsilon() > 0, name, "epsilon must be > 0", o.epsilon());
  }

  /** {@code settings} must be resolved (every field set), as {@link TrainingSettings#over} makes them. */
  static void checkTraining(TrainingSettings t, Task task) {
    String name = "training";
    require(t.epochs() >= 1 && t.epochs() <= 100_000, name, "epochs must be in 1..100000", t.epochs());
    require(t.batchSize() >= 1 && t.batchSize() <= 65_536, name, "batch_size must be in 1..65536", t.batchSize());
    require(unit(t.validationSplit()), name, "validation_split must be in [0, 1)", t.validationSplit());
    require(unit(t.testSplit()), name, "test_split must be in [0, 1)", t.testSplit());
    require(
        t.validationSplit() + t.testSplit() < 1,
        name,
        "validation_split + test_split must be < 1 to leave rows to train on, got",
        t.validationSplit() + t.testSplit());
    require(t.checkpointEvery() >= 1, name, "checkpoint_every must be >= 1", t.checkpointEvery());
    EarlyStopping e = t.earlyStopping();
    if (e == null) {
      return;
    }
    String es = "training.early_stopping";
    String base = e.monitor().startsWith("val_") ? e.monitor().substring(4) : e.monitor();
    Optional<Metric> metric = Metric.of(base).filter(m -> m.key().equals(base));
    if (metric.isEmpty()) {
      throw SpecException.at(
          es + ".monitor",
          es
              + ": monitor must be one of loss, accuracy, val_loss, val_accuracy, mae, val_mae, mse, val_mse, rmse,"
              + " val_rmse, got '"
              + e.monitor()
              + "'");
    }
    require(e.patience() >= 1, es, "patience must be >= 1", e.patience());
    require(e.minDelta() >= 0, es, "min_delta must be >= 0", e.minDelta());
    if (e.monitor().startsWith("val_") && !t.validates()) {
      throw SpecException.at(es + ".monitor", es + ": monitor " + e.monitor() + " needs validation_split > 0");
    }
    if (metric.get() != Metric.LOSS && metric.get() != Metric.ACCURACY && task.classification()) {
      throw SpecException.at(
          es + ".monitor", es + ": monitor " + e.monitor() + " needs a regression task; use val_loss or val_accuracy");
    }
    if (e.monitor().endsWith("accuracy") && !task.classification()) {
      throw SpecException.at(
          es + ".monitor",
          es
              + ": monitor "
              + e.monitor()
              + " needs a classification task; use "
              + e.monitor().replace("accuracy", "loss"));
    }
  }

  private static boolean unit(double v) {
    return v >= 0 && v < 1;
  }

  /** {@code where} ({@code optimizer (adam)}, {@code training}) and the rule's first word give the path. */
  private static void require(boolean ok, String where, String rule, Object got) {
    if (!ok) {
      String path = where.split(" ", 2)[0] + "." + rule.split(" ", 2)[0];
      throw SpecException.at(path, where + ": " + rule + (rule.endsWith(" got") ? " " : ", got ") + got);
    }
  }
}
