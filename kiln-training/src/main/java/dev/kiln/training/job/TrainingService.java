package dev.kiln.training.job;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.spec.SpecValidator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Training as a service, the one entry point for protocol adapters and the CLI: datasets, jobs, their events,
 * and deployment of a finished job's model. It keeps no state of its own; everything is in the stores.
 */
public final class TrainingService {
  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final DatasetStore datasets;
  private final JobStore jobs;
  private final JobRunner runner;
  private final JobEvents events;
  private final Deployer deployer;

  public TrainingService(DatasetStore datasets, JobStore jobs, JobRunner runner, JobEvents events,
      Deployer deployer) {
    this.datasets = datasets;
    this.jobs = jobs;
    this.runner = runner;
    this.events = events;
    this.deployer = deployer;
  }

  public DatasetManifest addDataset(String name, InputStream data, DatasetOptions options) {
    return datasets.add(name, data, options);
  }

  public DatasetManifest addDataset(String name, Path data, DatasetOptions options) {
    return datasets.add(name, data, options);
  }

  /**
   * Adds a folder dataset (image folder, IDX pair, text folder) uploaded as a zip archive, unpacked by the store
   * with {@link dev.kiln.training.data.ZipArchive}'s checks.
   */
  public DatasetManifest addDatasetArchive(String name, InputStream zip, DatasetOptions options) {
    return datasets.addArchive(name, zip, options);
  }

  public List<DatasetManifest> datasets() {
    return datasets.list();
  }

  public DatasetManifest dataset(String name, Integer version) {
    return (version == null ? datasets.latest(name) : datasets.get(name, version)).map(StoredDataset::manifest)
        .orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no dataset " + name
            + (version == null ? "" : " version " + version)));
  }

  /**
   * Queues a job after checking everything that can be checked now: the dataset version exists and reads, the
   * spec fits its shape and task, and the settings are in range. A bad request fails here, not minutes later.
   */
  public Job submit(JobRequest request) {
    if (request.dataset() == null || request.model() == null) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "a job needs a dataset and a model spec");
    }
    StoredDataset stored = TrainingJobWork.dataset(datasets, request);
    PreparedData data = TrainingJobWork.prepare(stored, request, TrainingJobWork.requested(request));
    TrainingJobWork.settings(request, data.task());
    SpecValidator.validate(request.model(), data.inputShape(), data.task());
    // Pin the version, so the job trains on what was checked even if a newer version is added meanwhile.
    JobRequest pinned = new JobRequest(request.dataset(), stored.manifest().version(), request.model(),
        request.training(), request.preparation());
    Job job = jobs.create(pinned);
    runner.wake();
    return job;
  }

  public Job job(long id) {
    return jobs.get(id).orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no job " + id));
  }

  public List<Job> jobs() {
    return jobs.list();
  }

  /** Cancels a queued job at once, a running one at its next step (here or on whichever replica runs it). */
  public Job cancel(long id) {
    Job job = jobs.update(id, j -> switch (j.state()) {
      case QUEUED -> j.ended(JobState.CANCELLED, Instant.now(), "cancelled before it started");
      case RUNNING -> j.cancelRequestedNow();
      default -> j;
    }).orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no job " + id));
    if (job.state().finished() && !job.cancelRequested() && job.state() != JobState.CANCELLED) {
      throw new KilnException(ErrorKind.CONFLICT, "job " + id + " already " + job.state().name().toLowerCase());
    }
    runner.cancelLocal(id);
    return job;
  }

  /** Live events of a job run by this process; see {@link JobEvents}. */
  public AutoCloseable watch(long id, Consumer<JobEvent> watcher) {
    job(id);
    return events.watch(id, watcher);
  }

  /** The exported ONNX model of a finished job. */
  public Path modelFile(long id) {
    Job job = job(id);
    if (job.state() != JobState.SUCCEEDED) {
      throw new KilnException(ErrorKind.CONFLICT, "job " + id + " is " + job.state().name().toLowerCase()
          + "; only a succeeded job has a model");
    }
    Path file = jobs.directory(id).resolve(TrainingJobWork.MODEL_FILE);
    if (!Files.exists(file)) {
      throw new KilnException(ErrorKind.INTERNAL, "job " + id + " lost its model file");
    }
    return file;
  }

  /** Serves a succeeded job's model as the next version of {@code model}. */
  public Deployment deploy(long id, String model) {
    if (model == null || !MODEL_NAME.matcher(model).matches()) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "model name '" + model
          + "' must match " + MODEL_NAME.pattern());
    }
    Path file = modelFile(id);
    String version = deployer.deploy(model, file, job(id));
    Deployment d = new Deployment(model, version, Instant.now());
    jobs.update(id, j -> j.deployed(d));
    return d;
  }
}
