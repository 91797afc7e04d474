package dev.kiln.training.job;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.Task;
import dev.kiln.training.spec.ExactLimits;
import dev.kiln.training.spec.ResolvedSpec;
import dev.kiln.training.spec.SpecValidator;
import dev.kiln.training.spec.TrainingSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Checks job requests as far as they can be before they run: the dataset version exists and reads, the spec fits its
 * shape and task and the exact solvers' limits, the settings are in range. One check serves many requests (a sweep's
 * trials), preparing the data once per distinct preparation and split, and keeping only the task, shape and validation
 * row count it found, not the data.
 */
final class RequestCheck {
  private record DataShape(Task task, List<Integer> inputShape, int validationRows) {}

  private final DatasetStore datasets;
  private final ExactLimits exactLimits;
  private final Map<String, DataShape> prepared = new HashMap<>();

  RequestCheck(DatasetStore datasets, ExactLimits exactLimits) {
    this.datasets = datasets;
    this.exactLimits = exactLimits;
  }

  /**
   * The request with its dataset versions pinned (the training data's and a validation dataset's), so the job trains on
   * what was checked even if a newer version arrives.
   *
   * @param visible whether the caller may see a dataset of this name: another key's is answered as absent
   */
  JobRequest pinned(JobRequest request, Predicate<String> visible) {
    if (request.dataset() == null || request.model() == null) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "a job needs a dataset and a model spec");
    }
    if (!visible.test(request.dataset())) {
      throw new KilnException(ErrorKind.NOT_FOUND, "no dataset " + request.dataset(), null, "dataset");
    }
    TrainingSettings requested = TrainingJobWork.requested(request);
    HeldOut.check(request, requested);
    if (requested.validationDataset() != null && !visible.test(HeldOut.datasetName(requested.validationDataset()))) {
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT,
          "training.validation_dataset: no dataset " + requested.validationDataset(),
          null,
          "training.validation_dataset");
    }
    StoredDataset stored;
    try {
      stored = TrainingJobWork.dataset(datasets, request);
    } catch (KilnException e) {
      throw e.path().isPresent() ? e : e.within(request.datasetVersion() == null ? "dataset" : "dataset_version");
    }
    Optional<StoredDataset> validation = HeldOut.dataset(datasets, requested);
    String key =
        String.join(
            "|",
            String.valueOf(stored.ref()),
            String.valueOf(request.preparation()),
            String.valueOf(request.model().type()),
            String.valueOf(requested.validationSplit()),
            String.valueOf(requested.testSplit()),
            String.valueOf(requested.seed()),
            String.valueOf(requested.splitColumn()),
            validation.map(v -> String.valueOf(v.ref())).orElse(""));
    DataShape data =
        prepared.computeIfAbsent(
            key,
            k -> {
              PreparedData d = TrainingJobWork.prepare(stored, validation, request, requested);
              return new DataShape(d.task(), d.inputShape(), d.validation().count());
            });
    TrainingJobWork.settings(request, data.task(), data.validationRows());
    ResolvedSpec spec;
    try {
      spec = SpecValidator.validate(request.model(), data.inputShape(), data.task());
    } catch (KilnException e) {
      throw e.path().isPresent() ? e.within("model") : e; // the request holds the spec under "model"
    }
    exactLimits.check(spec);
    TrainingSettings training = request.training();
    if (validation.isPresent()) {
      String pinnedName = validation.get().ref().name() + "@" + validation.get().ref().version();
      training = (training == null ? TrainingSettings.NONE : training).withValidationDataset(pinnedName);
    }
    return new JobRequest(
        request.dataset(),
        stored.manifest().version(),
        request.model(),
        training,
        request.preparation(),
        request.importanceRepeats());
  }
}
