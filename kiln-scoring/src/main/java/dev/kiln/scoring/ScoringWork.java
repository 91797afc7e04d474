package dev.kiln.scoring;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.Target;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.TableRows;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/**
 * Runs one claimed job: reads the dataset version row by row (past the rows already committed), sends batches of {@code
 * batch_size} rows through the core, and commits the predictions every {@link ScoringSettings#partRows} rows as a part
 * in the artifact store and a row count in the database. Memory holds one batch and one part's text, whatever the
 * dataset's size.
 */
final class ScoringWork {
  /** The runner was told to stop (cancel or shutdown) between batches; nothing after the last commit is kept. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("stopped", null, false, false);
    }
  }

  /** The job is no longer this runner's (its lease ran out and another replica took it over): stop, commit nothing. */
  static final class Lost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Lost() {
      super("lease lost", null, false, false);
    }
  }

  private static final int RETRIES = 20;

  private final DatasetStore datasets;
  private final InferenceCore core;
  private final JdbcScoringStore store;
  private final ArtifactStore artifacts;
  private final ScoringSettings settings;

  ScoringWork(
      DatasetStore datasets,
      InferenceCore core,
      JdbcScoringStore store,
      ArtifactStore artifacts,
      ScoringSettings settings) {
    this.datasets = datasets;
    this.core = core;
    this.store = store;
    this.artifacts = artifacts;
    this.settings = settings;
  }

  /** The model version the core serves for a request's reference. */
  static Target target(InferenceCore core, ScoringRequest r) {
    return r.modelVersion().map(v -> core.target(r.modelRef(), v)).orElseGet(() -> core.target(r.modelRef()));
  }

  /** Scores the job's remaining rows; returns the job as last committed. */
  ScoringJob run(ScoringJob claimed, String owner, BooleanSupplier stop) {
    ScoringRequest r = claimed.request();
    StoredDataset stored =
        datasets
            .get(r.dataset(), r.datasetVersion())
            .orElseThrow(() ->
                new KilnException(
                    ErrorKind.FAILED_PRECONDITION,
                    "dataset " + r.dataset() + " version " + r.datasetVersion() + " no longer exists"));
    Target target = target(core, r);
    ModelSignature sig = core.metadata(target).signature();
    try (TableRows rows = TableRows.open(stored)) {
      InputColumns in = InputColumns.of(sig, rows.header(), r.id());
      int idAt = r.id().map(rows.header()::indexOf).orElse(-1);
      for (long i = 0; i < claimed.rowsDone(); i++) {
        if (rows.next().isEmpty()) {
          throw new KilnException(ErrorKind.INTERNAL, "the dataset has fewer rows than the job committed");
        }
      }
      return new Parts(claimed, owner, sig, r.id().orElse("row"), idAt).score(rows, in, r.batchSize(), stop, target);
    }
  }

  /** The part being filled, and the job as last committed. */
  private final class Parts {
    private final String owner;
    private final ModelSignature sig;
    private final String idName;
    private final int idAt;
    private final long startNanos = System.nanoTime();
    private final long startRows;
    private ScoringJob job;
    private StringBuilder text = new StringBuilder();
    private long rows;

    Parts(ScoringJob job, String owner, ModelSignature sig, String idName, int idAt) {
      this.job = job;
      this.owner = owner;
      this.sig = sig;
      this.idName = idName;
      this.idAt = idAt;
      this.startRows = job.rowsDone();
    }

    ScoringJob score(TableRows source, InputColumns in, int batchSize, BooleanSupplier stop, Target target) {
      List<String[]> batch = new ArrayList<>(batchSize);
      while (true) {
        batch.clear();
        for (Optional<String[]> row = source.next(); row.isPresent(); row = source.next()) {
          batch.add(row.get());
          if (batch.size() == batchSize) {
            break;
          }
        }
        if (batch.isEmpty()) {
          break;
        }
        if (stop.getAsBoolean()) {
          throw new Stopped();
        }
        long first = job.rowsDone() + rows;
        Map<String, Tensor> outputs = infer(target, in.tensors(batch, first));
        if (job.parts() == 0 && text.isEmpty()) {
          text.append(PredictionCsv.header(idName, sig.outputs(), outputs));
        }
        List<String> ids = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          ids.add(idAt >= 0 ? batch.get(i)[idAt] : Long.toString(first + i));
        }
        PredictionCsv.rows(text, ids, sig.outputs(), outputs);
        rows += batch.size();
        if (rows >= settings.partRows()) {
          commit();
        }
      }
      if (rows > 0) {
        commit();
      }
      return job;
    }

    private void commit() {
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      ArtifactStore.PutResult put = artifacts.put(new ByteArrayInputStream(bytes), bytes.length);
      ScoringPart part = new ScoringPart(job.parts(), put.key(), put.sha256(), put.sizeBytes(), rows);
      long n = rows;
      long runRows = job.rowsDone() + n - startRows;
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      Optional<ScoringJob> committed = store.commit(job.id(), owner, part, j -> j.committed(n, runRows, elapsed));
      if (committed.isEmpty()) {
        artifacts.delete(put.key()); // never referenced: the job is another runner's now
        throw new Lost();
      }
      job = committed.get();
      text = new StringBuilder();
      rows = 0;
    }
  }

  /** One batch through the core; a full queue or a model being reloaded is waited out, briefly, not failed. */
  private Map<String, Tensor> infer(Target target, Map<String, Tensor> inputs) {
    for (int attempt = 1; ; attempt++) {
      try {
        return core.infer(target, InferenceRequest.of(inputs)).join().outputs();
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof KilnException k)) {
          throw e;
        }
        boolean transient_ = k.kind() == ErrorKind.RESOURCE_EXHAUSTED || k.kind() == ErrorKind.UNAVAILABLE;
        if (!transient_ || attempt >= RETRIES) {
          throw k;
        }
        try {
          Thread.sleep(50L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new Stopped();
        }
      }
    }
  }
}
