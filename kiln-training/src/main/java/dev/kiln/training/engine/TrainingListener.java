package dev.kiln.training.engine;

/** Receives progress from an engine, on the training thread; implementations must be quick. */
public interface TrainingListener {
  /** After each optimisation step (implementations may throttle). */
  default void onStep(StepProgress step) {}

  /** After each epoch, with validation metrics. */
  default void onEpoch(EpochMetrics epoch) {}

  /** When a run resumes from a checkpoint instead of starting at epoch 1. */
  default void onResumed(int fromEpoch) {}

  TrainingListener NONE = new TrainingListener() {};
}
