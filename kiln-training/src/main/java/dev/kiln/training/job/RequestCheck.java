package dev.kiln.training.job;

import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.Task;
import dev.kiln.training.spec.SpecValidator;
import dev.kiln.training.spec.TrainingSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks job requests as far as they can be before they run: the dataset version exists and reads, the spec fits its
 * shape and task, the settings are in range. One check serves many requests (a sweep's trials), preparing the data once
 * per distinct preparation and split, and keeping only the task and shape it found, not the data.
 */
final class RequestCheck {
  private record DataShape(Task task, List<Integer> inputShape) {}

  private final DatasetStore datasets;
  private final Map<String, DataShape> prepared = new HashMap<>();

  RequestCheck(DatasetStore datasets) {
    this.datasets = datasets;
  }

  /** The request with its dataset version pinned, so the job trains on what was checked even if a newer one arrives. */
  JobRequest pinned(JobRequest request) {
    StoredDataset stored = TrainingJobWork.dataset(datasets, request);
    TrainingSettings requested = TrainingJobWork.requested(request);
    String key =
        stored.ref()
            + "|"
            + request.preparation()
            + "|"
            + requested.validationSplit()
            + "|"
            + requested.testSplit()
            + "|"
            + requested.seed();
    DataShape data =
        prepared.computeIfAbsent(
            key,
            k -> {
              PreparedData d = TrainingJobWork.prepare(stored, request, requested);
              return new DataShape(d.task(), d.inputShape());
            });
    TrainingJobWork.settings(request, data.task());
    SpecValidator.validate(request.model(), data.inputShape(), data.task());
    return new JobRequest(
        request.dataset(), stored.manifest().version(), request.model(), request.training(), request.preparation());
  }
}
