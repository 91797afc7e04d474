package dev.kiln.training.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingListener;
import java.util.List;
import java.util.function.BooleanSupplier;

/** What running a job means: {@link TrainingJobWork} in production, something quicker in tests. */
public interface JobWork {
  /** What a finished job leaves besides its exported model file. */
  record Result(List<EpochMetrics> history, JsonNode evaluation, Lineage lineage) {}

  /** Runs {@code job}; throws {@link TrainingException.Cancelled} once {@code cancelled} turns true. */
  Result run(Job job, TrainingListener listener, BooleanSupplier cancelled) throws TrainingException;
}
