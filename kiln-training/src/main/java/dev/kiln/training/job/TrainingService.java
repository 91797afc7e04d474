package dev.kiln.training.job;

import dev.kiln.core.access.Grants;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.training.data.DatasetKeys;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetRows;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.DatasetTombstone;
import dev.kiln.training.data.PersonalColumns;
import dev.kiln.training.data.PolicyCsv;
import dev.kiln.training.data.RetentionPeriod;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.spec.ExactLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

// Size: the one facade over datasets, jobs, splits and deployment; each method is short and delegates to a store.
/**
 * Training as a service, the one entry point for protocol adapters and the CLI: datasets, jobs, their events, and
 * deployment of a finished job's model. It keeps no state of its own; everything is in the stores.
 *
 * <p>Jobs and datasets belong to the key that made them (a dataset name to the key that uploaded its first version):
 * every call names its caller's {@link Grants}, and another key's job or dataset is answered as absent ({@code
 * NOT_FOUND}), so its existence does not leak; an admin sees and acts on all of them. Adding a version to another key's
 * dataset name is {@code PERMISSION_DENIED} (names are shared, so the name is taken), and deploying needs {@code
 * manage} on the target model besides owning the job, so {@code train} alone never replaces a served model.
 *
 * <p>A key may also use another key's dataset when it holds a {@code dataset:<glob>} scope matching its name ({@link
 * Permission#DATASET}): it then sees, reads and previews it, and with {@code train} trains on it (and deletes its
 * versions, {@link #requireUse}); it never adds versions to it.
 */
public final class TrainingService {
  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final DatasetStore datasets;
  private final JobStore jobs;
  private final JobRunner runner;
  private final JobEvents events;
  private final Deployer deployer;
  private final ExactLimits exactLimits;
  private final DatasetKeys keys;

  public TrainingService(DatasetStore datasets, JobStore jobs, JobRunner runner, JobEvents events, Deployer deployer) {
    this(datasets, jobs, runner, events, deployer, ExactLimits.defaults());
  }

  /** Without dataset keys: uploads that hash a column are refused ({@link DatasetKeys#none()}). */
  public TrainingService(
      DatasetStore datasets,
      JobStore jobs,
      JobRunner runner,
      JobEvents events,
      Deployer deployer,
      ExactLimits exactLimits) {
    this(datasets, jobs, runner, events, deployer, exactLimits, DatasetKeys.none());
  }

  /**
   * @param exactLimits how large a linear or logistic regression the exact solvers are given
   * @param keys the keys of the datasets' {@code hash} columns
   */
  public TrainingService(
      DatasetStore datasets,
      JobStore jobs,
      JobRunner runner,
      JobEvents events,
      Deployer deployer,
      ExactLimits exactLimits,
      DatasetKeys keys) {
    this.keys = keys;
    this.exactLimits = exactLimits;
    this.datasets = datasets;
    this.jobs = jobs;
    this.runner = runner;
    this.events = events;
    this.deployer = deployer;
  }

  /**
   * Stores an upload as the next version of {@code name}. A column policy in {@code options} is applied to the stream
   * here ({@link PolicyCsv}), before the store is given a byte, so no store ever holds a dropped or raw value.
   */
  public DatasetManifest addDataset(String name, InputStream data, DatasetOptions options, Grants who) {
    requireExtensible(name, who);
    try (InputStream in = PolicyCsv.apply(data, name, options, keys)) {
      return datasets.add(name, in, options, who.principal());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #addDataset(String, InputStream, DatasetOptions, Grants)} for a file or folder. */
  public DatasetManifest addDataset(String name, Path data, DatasetOptions options, Grants who) {
    if (options.policyOrNone().isEmpty()) {
      requireExtensible(name, who);
      return datasets.add(name, data, options, who.principal());
    }
    PolicyCsv.requireFile(options.policyOrNone(), Files.isDirectory(data));
    try (InputStream in = Files.newInputStream(data)) {
      return addDataset(name, in, options, who);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The columns of version {@code m} that look like personal data ({@link PersonalColumns}): the upload report's. */
  public List<PersonalColumns.PersonalColumn> personalColumns(DatasetManifest m, Grants who) {
    dataset(m.name(), m.version(), who);
    return datasets.get(m.name(), m.version()).map(PersonalColumns::scan).orElse(List.of());
  }

  /**
   * A new name is anyone's to take; an existing one only its owner's (or an admin's). Two keys racing to create the
   * same new name may both add a version; the first version decides the owner.
   */
  private void requireExtensible(String name, Grants who) {
    Optional<DatasetManifest> first = firstVersion(name);
    if (first.isPresent() && !who.owns(first.get().createdBy())) {
      throw new KilnException(ErrorKind.PERMISSION_DENIED, "dataset " + name + " belongs to another key");
    }
  }

  private Optional<DatasetManifest> firstVersion(String name) {
    return datasets.list().stream()
        .filter(m -> m.name().equals(name))
        .min(Comparator.comparingInt(DatasetManifest::version));
  }

  /** Owner, admin, or a {@code dataset:} scope on the name: whoever may read, train on or delete it. */
  private boolean sees(String dataset, Grants who) {
    return who.admin()
        || who.may(Permission.DATASET, dataset)
        || firstVersion(dataset).map(m -> who.owns(m.createdBy())).orElse(false);
  }

  /**
   * The one access rule for using a dataset: reading its bytes or rows, training on it, deleting a version of it. It
   * passes for the key that uploaded its first version, an admin, and a key with a {@code dataset:} scope matching the
   * name; for any other key it is {@code NOT_FOUND}, worded as for a dataset that does not exist, so existence does not
   * leak.
   */
  public void requireUse(String name, Grants who) {
    if (!sees(name, who)) {
      throw new KilnException(ErrorKind.NOT_FOUND, "no dataset " + name);
    }
  }

  /** A version's verified bytes ({@link StoredDataset#data()}), for a download or a preview; as {@link #requireUse}. */
  public StoredDataset stored(String name, int version, Grants who) {
    requireUse(name, who);
    return datasets
        .get(name, version)
        .orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no dataset " + name + " version " + version));
  }

  /**
   * Adds a folder dataset (image folder, IDX pair, text folder) uploaded as a zip archive, unpacked by the store with
   * {@link dev.kiln.training.data.ZipArchive}'s checks.
   */
  public DatasetManifest addDatasetArchive(String name, InputStream zip, DatasetOptions options, Grants who) {
    PolicyCsv.requireFile(options.policyOrNone(), true);
    requireExtensible(name, who);
    return datasets.addArchive(name, zip, options, who.principal());
  }

  /** Every version of the datasets {@code who} owns or has a {@code dataset:} scope on (all of them for an admin). */
  public List<DatasetManifest> datasets(Grants who) {
    List<DatasetManifest> all = datasets.list();
    if (who.admin()) {
      return all;
    }
    Map<String, DatasetManifest> first = new HashMap<>();
    all.forEach(m -> first.merge(m.name(), m, (a, b) -> a.version() <= b.version() ? a : b));
    return all.stream()
        .filter(m -> who.owns(first.get(m.name()).createdBy()) || who.may(Permission.DATASET, m.name()))
        .toList();
  }

  public DatasetManifest dataset(String name, Integer version, Grants who) {
    Supplier<KilnException> absent =
        () ->
            new KilnException(
                ErrorKind.NOT_FOUND, "no dataset " + name + (version == null ? "" : " version " + version));
    if (!sees(name, who)) {
      throw absent.get();
    }
    return (version == null ? datasets.latest(name) : datasets.get(name, version))
        .map(StoredDataset::manifest)
        .orElseThrow(absent);
  }

  /**
   * Queues a job after checking everything that can be checked now: the dataset version exists and reads, the spec fits
   * its shape and task, and the settings are in range. A bad request fails here, not minutes later.
   */
  public Job submit(JobRequest request, Grants who) {
    Job job = jobs.create(new RequestCheck(datasets, exactLimits).pinned(request, d -> sees(d, who)), who.principal());
    runner.wake();
    return job;
  }

  /**
   * Checks a request exactly as {@link #submit} does, and queues nothing (a form's or spec editor's check before it
   * submits): the request as it would run, its dataset versions pinned. Errors as {@link #submit}'s, with the path of
   * the field at fault where the check knows it ({@link KilnException#path}).
   */
  public JobRequest check(JobRequest request, Grants who) {
    return new RequestCheck(datasets, exactLimits).pinned(request, d -> sees(d, who));
  }

  /**
   * Checks several requests (a sweep's trials) as {@link #submit} does, all or none: a request that fails its check is
   * {@code INVALID_ARGUMENT} with {@code label}'s name for it in front of the reason. Returns them pinned, to queue.
   */
  public List<JobRequest> checkAll(List<JobRequest> requests, Grants who, IntFunction<String> label) {
    List<JobRequest> pinned = new ArrayList<>();
    RequestCheck check = new RequestCheck(datasets, exactLimits); // one, so trials share their data's preparation
    for (int i = 0; i < requests.size(); i++) {
      try {
        pinned.add(check.pinned(requests.get(i), d -> sees(d, who)));
      } catch (KilnException e) {
        if (e.kind() != ErrorKind.INVALID_ARGUMENT) {
          throw e;
        }
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, label.apply(i) + ": " + e.getMessage(), e);
      }
    }
    return pinned;
  }

  /** Queues requests as {@link #checkAll} returned them, the i-th as a sweep's {@code trial.apply(i)}. */
  public List<Job> queueTrials(List<JobRequest> checked, Grants who, IntFunction<SweepTrial> trial) {
    List<Job> queued = new ArrayList<>();
    for (int i = 0; i < checked.size(); i++) {
      queued.add(jobs.create(checked.get(i), who.principal(), trial.apply(i)));
    }
    runner.wake();
    return queued;
  }

  /** A job of {@code who}'s (any job for an admin); another key's is {@code NOT_FOUND}, as a missing one. */
  public Job job(long id, Grants who) {
    return jobs.get(id)
        .filter(j -> who.owns(j.createdBy()))
        .orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no job " + id));
  }

  /** One page of the jobs {@code who} may see that pass {@code filter}, newest first: a non-admin its own only. */
  public Page<Job> jobs(JobFilter filter, PageRequest page, Grants who) {
    return jobs.list(who.admin() ? filter : filter.createdBy(who.principal()), page);
  }

  /** Cancels a queued job at once, a running one at its next step (here or on whichever replica runs it). */
  public Job cancel(long id, Grants who) {
    job(id, who);
    Job job =
        jobs.update(
                id,
                j ->
                    switch (j.state()) {
                      case QUEUED -> j.ended(JobState.CANCELLED, Instant.now(), "cancelled before it started");
                      case RUNNING -> j.cancelRequestedNow();
                      default -> j;
                    })
            .orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no job " + id));
    if (job.state().finished() && !job.cancelRequested() && job.state() != JobState.CANCELLED) {
      throw new KilnException(ErrorKind.CONFLICT, "job " + id + " already " + job.state().name().toLowerCase());
    }
    runner.cancelLocal(id);
    return job;
  }

  /** Live events of a job run by this process; see {@link JobEvents}. */
  public AutoCloseable watch(long id, Grants who, Consumer<JobEvent> watcher) {
    job(id, who);
    return events.watch(id, watcher);
  }

  /** The exported ONNX model of a finished job. */
  public Path modelFile(long id, Grants who) {
    Job job = job(id, who);
    if (job.state() != JobState.SUCCEEDED) {
      throw new KilnException(
          ErrorKind.CONFLICT,
          "job " + id + " is " + job.state().name().toLowerCase() + "; only a succeeded job has a model");
    }
    // Fetched from the shared store when another replica trained it.
    return jobs.file(id, TrainingJobWork.MODEL_FILE)
        .orElseThrow(() ->
            datasetDeleted(job).isPresent()
                ? new KilnException(ErrorKind.NOT_FOUND, "job " + id + "'s files were deleted with its dataset version")
                : new KilnException(ErrorKind.INTERNAL, "job " + id + " lost its model file"));
  }

  /**
   * The rows a job of {@code who}'s trained, validated and was tested on. {@code NOT_FOUND} as for {@link #job}, and
   * also for a job that has no splits: not started yet, failed before splitting, or stored before Kiln recorded them.
   */
  public JobSplits splits(long id, Grants who) {
    Job job = job(id, who);
    return jobs.file(id, JobSplits.FILE)
        .flatMap(file -> JobSplits.read(file.getParent()))
        .orElseThrow(() ->
            new KilnException(
                ErrorKind.NOT_FOUND,
                "job "
                    + id
                    + " has no recorded splits ("
                    + (job.state() == JobState.QUEUED
                        ? "it has not started"
                        : "it failed before splitting its data, or was stored before Kiln recorded splits")
                    + ")"));
  }

  /**
   * One split's rows of a job's dataset version as CSV ({@link DatasetRows}): the rows themselves, for a tool that
   * should not have to index the upload. With {@code predictions} (test split only), each row ends with the engine's
   * {@code prediction} for it ({@link JobSplits#predictions()}); {@code CONFLICT} before the job has evaluated. {@code
   * INVALID_ARGUMENT} for an unknown split or a dataset that is not CSV.
   */
  public byte[] splitCsv(long id, String split, boolean predictions, Grants who) {
    JobSplits s = splits(id, who);
    List<Integer> rows = s.rows(split);
    if (predictions && !split.equals("test")) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "predictions: only for split=test (got split=" + split + ")");
    }
    if (predictions && s.predictions().isEmpty() && !rows.isEmpty()) {
      throw new KilnException(ErrorKind.CONFLICT, "job " + id + " has no test predictions: it has not evaluated");
    }
    // A validation dataset's rows are its own: read them from it.
    boolean other = split.equals("validation") && s.validationDataset() != null;
    String name = other ? s.validationDataset().name() : s.dataset();
    int version = other ? s.validationDataset().version() : s.version();
    StoredDataset stored =
        datasets
            .get(name, version)
            .orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no dataset " + name + " version " + version));
    // The test rows carry the engine's predictions, for comparing them row by row with another tool's or a server's.
    return DatasetRows.csv(stored, rows, predictions ? s.predictions() : List.of());
  }

  /**
   * Deletes a version of a dataset {@code who} owns (any for an admin) and every byte derived from it, as {@link
   * DatasetDeletion} says; another key's is {@code NOT_FOUND}.
   *
   * @param reason why, kept in the tombstone
   */
  public DatasetDeletion.Outcome deleteDataset(String name, int version, boolean force, String reason, Grants who) {
    dataset(name, version, who);
    return new DatasetDeletion(datasets, jobs).delete(name, version, who.principal(), reason, force);
  }

  /** The report of one version {@code who} may see: how it is stored, its policy, retention, jobs and models. */
  public DatasetReport datasetReport(String name, int version, Grants who) {
    DatasetManifest m = dataset(name, version, who);
    List<Job> used = new ArrayList<>(DatasetDeletion.usedBy(jobs.list(), name, version));
    used.sort(Comparator.comparingLong(Job::id));
    var storage = datasets.storage();
    Optional<Duration> retention = datasets.retention(name);
    return new DatasetReport(
        m,
        new DatasetReport.Stored(
            m.sizeBytes(),
            m.format().name().toLowerCase(Locale.ROOT),
            storage.store(),
            storage.artifactsPerVersion(),
            storage.encrypted()),
        m.options() == null ? null : m.options().policyOrNone(),
        retention.map(RetentionPeriod::format).orElse(null),
        retention.map(r -> Instant.parse(m.created()).plus(r)).orElse(null),
        used.stream().map(Job::id).toList(),
        DatasetDeletion.models(used));
  }

  /**
   * {@code UNSUPPORTED} unless the dataset store keeps retention periods (the database's does, the file stores do not):
   * an upload that asks for one checks this before it stores anything.
   */
  public void requireRetention() {
    if (!datasets.keepsRetention()) {
      throw new KilnException(
          ErrorKind.UNSUPPORTED, "retention periods need the governance database (not kept with --no-database)");
    }
  }

  /** Sets or clears ({@code empty}) how long versions of a dataset {@code who} owns are kept. */
  public Optional<Duration> retainDataset(String name, Optional<Duration> retention, Grants who) {
    dataset(name, null, who);
    datasets.retain(name, retention);
    return datasets.retention(name);
  }

  /** Who deleted the dataset version {@code job} trained on, when and why; empty while it is there. */
  public Optional<DatasetTombstone.Deleted> datasetDeleted(Job job) {
    Integer version =
        job.lineage() != null && job.lineage().dataset() != null
            ? Integer.valueOf(job.lineage().dataset().version())
            : job.request().datasetVersion();
    if (version == null) {
      return Optional.empty();
    }
    return datasets.tombstone(job.request().dataset(), version).map(DatasetTombstone::deleted);
  }

  /** Serves a succeeded job's model as the next version of {@code model}. */
  public Deployment deploy(long id, String model, Grants who) {
    if (model == null || !MODEL_NAME.matcher(model).matches()) {
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT, "model name '" + model + "' must match " + MODEL_NAME.pattern());
    }
    Path file = modelFile(id, who);
    // A new version of a model changes what its every client gets: that is manage's, not train's, to decide.
    if (!who.may(Permission.MANAGE, model)) {
      throw new KilnException(
          ErrorKind.PERMISSION_DENIED, "key " + who.principal() + " may not manage model '" + model + "'");
    }
    String version = deployer.deploy(model, file, job(id, who));
    Deployment d = new Deployment(model, version, Instant.now());
    jobs.update(id, j -> j.deployed(d));
    return d;
  }
}
