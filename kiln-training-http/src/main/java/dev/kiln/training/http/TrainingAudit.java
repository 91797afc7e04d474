package dev.kiln.training.http;

import dev.kiln.govern.audit.Auditor;
import dev.kiln.http.RestRequest;
import java.util.Optional;

/**
 * Where the training API records what changed (dataset uploads, job submissions, cancels, deploys); records nothing on
 * a server without governance.
 */
record TrainingAudit(Optional<Auditor> auditor) {
  /** Records a change that succeeded, made by the request's principal from its source. */
  void ok(RestRequest q, String action, String target, String detail) {
    auditor.ifPresent(a -> a.record(q.principal(), action, target, q.source(), "ok", detail));
  }
}
