package dev.kiln.training.engine;

/** Receives progress from an engine, on the training thread; implementations must be quick. */
public interface TrainingListener {
  /** After each optimisation step (implementations may throttle). */
  default void onStep(StepProgress step) {}

  /** After each epoch, with validation metrics. */
  default void onEpoch(EpochMetrics epoch) {}

  /** When a run resumes from a checkpoint instead of starting at epoch 1. */
  default void onResumed(int fromEpoch) {}

  /**
   * After the engine saved a checkpoint of {@code epoch} into the plan's checkpoint folder (complete: a resume from the
   * folder as it is now starts after that epoch), so a store may copy it where other replicas can resume from it.
   */
  default void onCheckpoint(int epoch) {}

  TrainingListener NONE = new TrainingListener() {};
}
