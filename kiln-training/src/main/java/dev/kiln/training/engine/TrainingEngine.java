package dev.kiln.training.engine;

/**
 * A deep-learning engine that fits a {@link TrainingPlan}. Engines know nothing of HTTP, jobs or storage; they report
 * through the plan's listener and save checkpoints where the plan says.
 */
public interface TrainingEngine extends AutoCloseable {
  /** Short name recorded in lineage, e.g. {@code djl-pytorch 2.7.1}. */
  String name();

  /**
   * Trains to completion, early stop or cancellation, resuming from the plan's checkpoint directory if it holds one.
   * Throws {@link TrainingException} for a spec the engine cannot build or a numeric failure.
   */
  TrainedModel train(TrainingPlan plan) throws TrainingException;

  @Override
  default void close() {}
}
