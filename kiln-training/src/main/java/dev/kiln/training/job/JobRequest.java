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
 * @param importanceRepeats how many seeded shuffles of each raw column the evaluation's permutation importance averages
 *     (1 to 100); null for 5
 */
public record JobRequest(
    String dataset,
    Integer datasetVersion,
    ModelSpec model,
    TrainingSettings training,
    JsonNode preparation,
    Integer importanceRepeats) {
  /** The most shuffles per column a request may ask for: each costs one prediction over the test rows per column. */
  public static final int MAX_IMPORTANCE_REPEATS = 100;

  /** A request with the default permutation importance repeats. */
  public JobRequest(
      String dataset, Integer datasetVersion, ModelSpec model, TrainingSettings training, JsonNode preparation) {
    this(dataset, datasetVersion, model, training, preparation, null);
  }
}
