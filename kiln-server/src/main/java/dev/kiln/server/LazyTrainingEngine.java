package dev.kiln.server;

import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingEngine;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingPlan;
import java.util.function.Supplier;

/**
 * Creates the training engine with the first job. Loading libtorch takes a second or more (four on the first run, which
 * unpacks it), and a server that only serves should not pay that at start.
 */
final class LazyTrainingEngine implements TrainingEngine {
  private final Supplier<TrainingEngine> factory;
  private TrainingEngine engine;

  LazyTrainingEngine(Supplier<TrainingEngine> factory) {
    this.factory = factory;
  }

  private synchronized TrainingEngine engine() {
    if (engine == null) {
      engine = factory.get();
    }
    return engine;
  }

  @Override
  public String name() {
    return engine().name();
  }

  @Override
  public TrainedModel train(TrainingPlan plan) throws TrainingException {
    return engine().train(plan);
  }

  @Override
  public synchronized void close() {
    if (engine != null) {
      engine.close();
    }
  }
}
