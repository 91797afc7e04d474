package dev.kiln.training.http;

import dev.kiln.govern.audit.Auditor;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.training.job.TrainingService;
import dev.kiln.training.sweep.SweepService;
import java.net.URL;
import java.util.Objects;
import java.util.Optional;

/**
 * The training API under {@code /api/v1}: datasets (upload, list, show; {@link DatasetRoutes}), jobs (submit, list,
 * show, cancel, deploy, download the model; {@link JobRoutes}), hyperparameter sweeps ({@link SweepRoutes}) and a job's
 * progress as Server-Sent Events ({@link JobEventStream}). Everything here blocks on files or data preparation, so
 * handlers run on virtual threads, never on the event loop.
 */
public final class TrainingRestService implements RestService, AutoCloseable {
  private final DatasetRoutes datasets;
  private final DatasetRetentionRoutes retention;
  private final JobEventStream events;
  private final JobRoutes jobs;
  private final SweepRoutes sweeps;

  /** A training API that records nothing in an audit log (a server without governance). */
  public TrainingRestService(TrainingService training, SweepService sweeps) {
    this(training, sweeps, new TrainingAudit(Optional.empty()));
  }

  /**
   * @param audit where dataset uploads, job and sweep submissions, cancels and deploys are recorded
   */
  public TrainingRestService(TrainingService training, SweepService sweeps, Auditor audit) {
    this(training, sweeps, new TrainingAudit(Optional.of(audit)));
  }

  private TrainingRestService(TrainingService training, SweepService sweeps, TrainingAudit audit) {
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(sweeps, "sweeps");
    this.datasets = new DatasetRoutes(training, audit);
    this.retention = new DatasetRetentionRoutes(training, audit);
    this.events = new JobEventStream(training);
    this.jobs = new JobRoutes(training, audit, events);
    this.sweeps = new SweepRoutes(sweeps, training, audit);
  }

  /** Stops re-reading jobs for event streams; streams still open get no more events. */
  @Override
  public void close() {
    events.close();
  }

  /** Its routes in the OpenAPI document ({@code openapi.json} beside this class). */
  @Override
  public Optional<URL> openApi() {
    return Optional.of(TrainingRestService.class.getResource("openapi.json"));
  }

  @Override
  public void addRoutes(Router r) {
    datasets.addRoutes(r);
    retention.addRoutes(r);
    jobs.addRoutes(r);
    sweeps.addRoutes(r);
  }
}
