package dev.kiln.training.http;

import static dev.kiln.training.http.Routes.json;
import static dev.kiln.training.http.Routes.withBody;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.http.Access;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.training.data.RetentionPeriod;
import dev.kiln.training.job.DatasetDeletion;
import dev.kiln.training.job.TrainingService;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Deleting dataset versions and setting how long a name's versions are kept: {@code DELETE
 * /api/v1/datasets/{name}/versions/{v}} ({@code force=true} when models trained on it are served, {@code reason} for
 * the tombstone) and {@code PATCH /api/v1/datasets/{name}} with {@code {"retention": "90d" | null}}.
 */
final class DatasetRetentionRoutes implements RestService {
  private static final String NAME = ManagementApi.NAME;

  private final TrainingService training;
  private final TrainingAudit audit;

  DatasetRetentionRoutes(TrainingService training, TrainingAudit audit) {
    this.training = training;
    this.audit = audit;
  }

  /** The answer to a delete: the tombstone, the jobs whose files went, the models that keep serving. */
  record Deleted(
      String name, int version, String sha256, String deletedBy, String reason, List<Long> jobs, List<String> models) {
    static Deleted of(DatasetDeletion.Outcome o) {
      var t = o.tombstone();
      return new Deleted(t.name(), t.version(), t.sha256(), t.deletedBy(), t.reason(), o.jobs(), o.models());
    }
  }

  /** The answer to a retention change: {@code retention} null when versions are kept for ever. */
  record Retention(String name, String retention) {}

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.DELETE,
        "/api/v1/datasets/" + NAME + "/versions/([0-9]{1,9})",
        Access.TRAIN,
        json(
            HttpResponseStatus.OK,
            q -> {
              boolean force = q.query("force").map("true"::equals).orElse(false);
              String reason = q.query("reason").orElse("deleted by its owner");
              if (reason.length() > 500) {
                throw new KilnException(ErrorKind.INVALID_ARGUMENT, "reason: at most 500 characters");
              }
              var done = training.deleteDataset(q.param(0), Integer.parseInt(q.param(1)), force, reason, q.grants());
              audit.ok(
                  q,
                  "dataset.delete",
                  "dataset:" + q.param(0) + "/" + q.param(1),
                  "jobs " + done.jobs() + (done.models().isEmpty() ? "" : ", served models " + done.models()));
              return Deleted.of(done);
            }));
    r.add(
        HttpMethod.PATCH,
        "/api/v1/datasets/" + NAME,
        Access.TRAIN,
        withBody(
            HttpResponseStatus.OK,
            (q, body) -> {
              Optional<Duration> period = retention(body);
              Optional<Duration> now = training.retainDataset(q.param(0), period, q.grants());
              String shown = now.map(RetentionPeriod::format).orElse(null);
              audit.ok(q, "dataset.retention", "dataset:" + q.param(0), shown == null ? "none" : shown);
              return new Retention(q.param(0), shown);
            }));
  }

  private static Optional<Duration> retention(byte[] body) {
    JsonNode node;
    try {
      node = ApiJson.MAPPER.readTree(body);
    } catch (IOException e) {
      node = null;
    }
    if (node == null
        || !node.has("retention")
        || !(node.get("retention").isTextual() || node.get("retention").isNull())) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "expected {\"retention\": \"90d\"} or {\"retention\": null}");
    }
    return node.get("retention").isNull() ? Optional.empty() : RetentionPeriod.parse(node.get("retention").asText());
  }
}
