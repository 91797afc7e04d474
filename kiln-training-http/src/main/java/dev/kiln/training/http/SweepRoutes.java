package dev.kiln.training.http;

import static dev.kiln.training.http.Routes.ID;
import static dev.kiln.training.http.Routes.id;
import static dev.kiln.training.http.Routes.json;
import static dev.kiln.training.http.Routes.modelName;
import static dev.kiln.training.http.Routes.withBody;

import dev.kiln.http.Access;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.training.job.TrainingService;
import dev.kiln.training.sweep.SweepDeployment;
import dev.kiln.training.sweep.SweepRequest;
import dev.kiln.training.sweep.SweepService;
import dev.kiln.training.sweep.SweepView;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;

/**
 * The sweep routes of the training API: submit, list, show, cancel, deploy the best trial. Same scope ({@code train}),
 * ownership and audit as jobs; a sweep's trials are jobs, so their curves and events are under {@code /api/v1/jobs}.
 */
final class SweepRoutes implements RestService {
  private final SweepService sweeps;
  private final TrainingService training;
  private final TrainingAudit audit;

  SweepRoutes(SweepService sweeps, TrainingService training, TrainingAudit audit) {
    this.training = training;
    this.sweeps = sweeps;
    this.audit = audit;
  }

  @Override
  public void addRoutes(Router r) {
    r.add(HttpMethod.GET, "/api/v1/sweeps", Access.TRAIN, json(HttpResponseStatus.OK, q -> sweeps.sweeps(q.grants())));
    r.add(
        HttpMethod.POST,
        "/api/v1/sweeps",
        Access.TRAIN,
        withBody(
            HttpResponseStatus.CREATED,
            (q, body) -> {
              SweepView s = sweeps.submit(SweepRequest.read(body), q.grants());
              audit.ok(q, "sweep.submit", "sweep:" + s.id(), s.trials().size() + " trials");
              // Once per sweep, not per trial: the trials train on the same versions.
              audit.used(
                  q,
                  s.trials().stream().map(t -> training.job(t.job(), q.grants()).request()).toList(),
                  "sweep " + s.id());
              return s;
            }));
    r.add(
        HttpMethod.GET,
        "/api/v1/sweeps/" + ID,
        Access.TRAIN,
        json(HttpResponseStatus.OK, q -> sweeps.sweep(id(q), q.grants())));
    r.add(
        HttpMethod.POST,
        "/api/v1/sweeps/" + ID + "/cancel",
        Access.TRAIN,
        json(
            HttpResponseStatus.OK,
            q -> {
              SweepView s = sweeps.cancel(id(q), q.grants());
              audit.ok(q, "sweep.cancel", "sweep:" + s.id(), s.state().name().toLowerCase(Locale.ROOT));
              return s;
            }));
    r.add(
        HttpMethod.POST,
        "/api/v1/sweeps/" + ID + "/deploy",
        Access.TRAIN,
        withBody(
            HttpResponseStatus.CREATED,
            (q, body) -> {
              SweepDeployment d = sweeps.deploy(id(q), modelName(body), q.grants());
              audit.ok(
                  q,
                  "sweep.deploy",
                  "model:" + d.model() + "/" + d.version(),
                  "sweep " + d.sweep() + " trial " + d.trial() + " (job " + d.job() + ")");
              return d;
            }));
  }
}
