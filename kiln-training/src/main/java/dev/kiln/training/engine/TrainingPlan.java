package dev.kiln.training.engine;

import dev.kiln.training.data.PreparedData;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Everything an engine needs for one training run.
 *
 * @param settings resolved: every field set
 * @param checkpoints a directory of the job's own: the engine saves there every {@code checkpointEvery} epochs and
 *     resumes from the newest checkpoint it finds
 * @param cancelled polled between steps; true stops the run with {@link TrainingException.Cancelled}
 */
public record TrainingPlan(
    ModelSpec spec,
    TrainingSettings settings,
    PreparedData data,
    Path checkpoints,
    TrainingListener listener,
    BooleanSupplier cancelled) {}
