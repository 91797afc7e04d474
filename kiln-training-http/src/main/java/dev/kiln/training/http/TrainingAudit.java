package dev.kiln.training.http;

import dev.kiln.govern.audit.Auditor;
import dev.kiln.http.RestRequest;
import dev.kiln.training.job.JobRequest;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Where the training API records what changed (dataset uploads, job submissions, cancels, deploys) and who read which
 * dataset version (downloads, previews, training uses); records nothing on a server without governance.
 */
record TrainingAudit(Optional<Auditor> auditor) {
  /** Records a change that succeeded, made by the request's principal from its source. */
  void ok(RestRequest q, String action, String target, String detail) {
    auditor.ifPresent(a -> a.record(q.principal(), action, target, q.source(), "ok", detail));
  }

  /**
   * Records {@code dataset.use} once for each dataset version the pinned requests train on (their dataset's and a
   * validation dataset's), so a sweep of many trials on one version is one event.
   */
  void used(RestRequest q, Iterable<JobRequest> pinned, String detail) {
    Set<String> targets = new LinkedHashSet<>();
    for (JobRequest r : pinned) {
      targets.add("dataset:" + r.dataset() + "/" + r.datasetVersion());
      Optional.ofNullable(r.training())
          .map(t -> t.validationDataset())
          .ifPresent(v -> targets.add("dataset:" + v.replace('@', '/')));
    }
    targets.forEach(t -> ok(q, "dataset.use", t, detail));
  }
}
