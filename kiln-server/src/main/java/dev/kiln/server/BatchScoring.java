package dev.kiln.server;

import dev.kiln.core.serving.InferenceCore;
import dev.kiln.scoring.ScoringService;
import dev.kiln.scoring.ScoringSettings;
import dev.kiln.scoring.http.ScoringRestService;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.job.TrainingService;
import java.util.Optional;

/**
 * Batch scoring, where the server has both training (whose datasets it scores) and a database (its queue): the service
 * with this replica's runner started, and its routes. Closed before the core, so running jobs go back to the queue.
 */
record BatchScoring(ScoringService service, ScoringRestService api) implements AutoCloseable {
  static BatchScoring start(
      ScoringSettings settings, InferenceCore core, Governance g, TrainingService training, DatasetStore datasets) {
    ScoringService service =
        new ScoringService(core, training, datasets, g.stores.database(), g.artifacts, settings).start();
    return new BatchScoring(service, new ScoringRestService(service, Optional.of(g.audit)));
  }

  @Override
  public void close() {
    service.close();
    api.close();
  }
}
