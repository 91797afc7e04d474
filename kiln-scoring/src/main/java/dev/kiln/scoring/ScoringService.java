package dev.kiln.scoring;

import dev.kiln.core.access.Grants;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.BatchingConfig;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Database;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.TableRows;
import dev.kiln.training.job.TrainingService;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Batch scoring's one door: submit, list, show, cancel, and the output of a finished job. Callers see only the jobs
 * their key made (an admin sees all); another key's job is {@code NOT_FOUND}, worded as one that does not exist.
 * Submission checks what can be checked at once (the model's invoke scope, the dataset's read access, that its columns
 * feed the model), so a bad job fails here rather than in the queue.
 */
public final class ScoringService implements AutoCloseable {
  private final InferenceCore core;
  private final TrainingService training;
  private final DatasetStore datasets;
  private final JdbcScoringStore store;
  private final ArtifactStore artifacts;
  private final ScoringSettings settings;
  private final ScoringRunner runner;

  /**
   * @param training decides who may read a dataset (its owner, an admin, a {@code dataset:} scope)
   * @param datasets where the runner reads the versions from
   */
  public ScoringService(
      InferenceCore core,
      TrainingService training,
      DatasetStore datasets,
      Database db,
      ArtifactStore artifacts,
      ScoringSettings settings) {
    this.core = core;
    this.training = training;
    this.datasets = datasets;
    this.store = new JdbcScoringStore(db);
    this.artifacts = artifacts;
    this.settings = settings;
    this.runner = new ScoringRunner(store, new ScoringWork(datasets, core, store, artifacts, settings), settings);
  }

  /** Starts this replica's runner (a replica with concurrency 0 runs none and only serves the API). */
  public ScoringService start() {
    runner.start();
    return this;
  }

  public ScoringJob submit(ScoringRequest request, Grants who) {
    if (!who.may(Permission.INVOKE, request.modelName())) {
      throw KilnException.denied("may not invoke model '" + request.modelName() + "'");
    }
    ModelSignature sig = core.metadata(ScoringWork.target(core, request)).signature();
    DatasetManifest m =
        training.dataset(request.dataset(), request.datasetVersion() == 0 ? null : request.datasetVersion(), who);
    try (TableRows rows =
        TableRows.open(
            datasets
                .get(m.name(), m.version())
                .orElseThrow(() -> KilnException.notFound("no dataset " + m.name() + " version " + m.version())))) {
      InputColumns.of(sig, rows.header(), request.id());
    }
    int batch = request.batchSize() == 0 ? defaultBatch(request.modelName()) : request.batchSize();
    if (batch > settings.maxBatchSize()) {
      throw ScoringRequest.invalid("batch_size", batch + " (expected: 1 to " + settings.maxBatchSize() + ")");
    }
    ScoringJob job = store.create(request.pinned(m.version(), batch), who.principal(), m.rows());
    runner.wake();
    return job;
  }

  /** The model's own batch size where it batches (at most the server's maximum), else the server's default. */
  private int defaultBatch(String model) {
    BatchingConfig b = core.config(model).batching();
    return b.enabled() ? Math.min(b.maxBatchSize(), settings.maxBatchSize()) : settings.defaultBatchSize();
  }

  public ScoringJob job(long id, Grants who) {
    return store.get(id).filter(j -> who.owns(j.createdBy())).orElseThrow(() -> absent(id));
  }

  /** A page of the caller's jobs (every job for an admin), newest first. */
  public Page<ScoringJob> jobs(PageRequest page, Grants who) {
    return store.list(who.admin() ? Optional.empty() : Optional.of(who.principal()), page);
  }

  /** Cancels a queued job at once, a running one at its next batch; a finished job is returned as it is. */
  public ScoringJob cancel(long id, Grants who) {
    job(id, who);
    ScoringJob job = store.update(id, j -> j.cancelled(Instant.now())).orElseThrow(() -> absent(id));
    runner.cancelLocal(id);
    return job;
  }

  /**
   * The predictions of a job that succeeded, checked before anything is written: its committed parts, which {@link
   * Output#writeTo} decrypts and writes one at a time.
   *
   * @throws KilnException CONFLICT while the job has not succeeded
   */
  public Output output(long id, Grants who) {
    ScoringJob job = job(id, who);
    if (job.state() != ScoringState.SUCCEEDED) {
      throw new KilnException(
          ErrorKind.CONFLICT, "scoring job " + id + " is " + job.state() + "; its output is ready when it succeeds");
    }
    return new Output(job, store.parts(id));
  }

  /** A finished job's output: its parts in order, each verified against its checksum as it is read. */
  public final class Output {
    private final ScoringJob job;
    private final List<ScoringPart> parts;

    private Output(ScoringJob job, List<ScoringPart> parts) {
      this.job = job;
      this.parts = parts;
    }

    public ScoringJob job() {
      return job;
    }

    /** Writes the CSV: memory holds one part at a time ({@link ScoringSettings#partRows} rows). */
    public void writeTo(OutputStream out) throws IOException {
      for (ScoringPart p : parts) {
        out.write(artifacts.read(p.artifact(), p.sha256()));
      }
    }
  }

  private static KilnException absent(long id) {
    return KilnException.notFound("no scoring job " + id);
  }

  /** Stops this replica's runner; its jobs go back to the queue and resume elsewhere or at the next start. */
  @Override
  public void close() {
    runner.close();
  }
}
