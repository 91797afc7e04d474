package dev.kiln.training.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.TrainingSettings;

/**
 * What a user submits: train {@code model} on a dataset version.
 *
 * @param datasetVersion null for the newest version at submission (the job records which one it used)
 * @param training overrides of the spec's training settings (null fields keep the spec's)
 * @param preparation dataset preparation options (scaling, missing values, text length...), as the dataset package
 *     reads them; null for its defaults
 */
public record JobRequest(
    String dataset, Integer datasetVersion, ModelSpec model, TrainingSettings training, JsonNode preparation) {}
