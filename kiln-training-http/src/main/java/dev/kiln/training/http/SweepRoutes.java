package dev.kiln.training.http;

import dev.kiln.http.Access;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
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
  private static final String ID = "([0-9]{1,18})";

  private final SweepService sweeps;
  private final TrainingAudit audit;

  SweepRoutes(SweepService sweeps, TrainingAudit audit) {
    this.sweeps = sweeps;
    this.audit = audit;
  }

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.GET,
        "/api/v1/sweeps",
        Access.TRAIN,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> sweeps.sweeps(q.grants())));
    r.add(
        HttpMethod.POST,
        "/api/v1/sweeps",
        Access.TRAIN,
        q -> {
          byte[] body = ManagementApi.body(q);
          return ManagementApi.json(
              q,
              HttpResponseStatus.CREATED,
              () -> {
                SweepView s = sweeps.submit(SweepRequest.read(body), q.grants());
                audit.ok(q, "sweep.submit", "sweep:" + s.id(), s.trials().size() + " trials");
                return s;
              });
        });
    r.add(
        HttpMethod.GET,
        "/api/v1/sweeps/" + ID,
        Access.TRAIN,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> sweeps.sweep(id(q), q.grants())));
    r.add(
        HttpMethod.POST,
        "/api/v1/sweeps/" + ID + "/cancel",
        Access.TRAIN,
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  SweepView s = sweeps.cancel(id(q), q.grants());
                  audit.ok(q, "sweep.cancel", "sweep:" + s.id(), s.state().name().toLowerCase(Locale.ROOT));
                  return s;
                }));
    r.add(
        HttpMethod.POST,
        "/api/v1/sweeps/" + ID + "/deploy",
        Access.TRAIN,
        q -> {
          byte[] body = ManagementApi.body(q);
          return ManagementApi.json(
              q,
              HttpResponseStatus.CREATED,
              () -> {
                SweepDeployment d = sweeps.deploy(id(q), JobRoutes.modelName(body), q.grants());
                audit.ok(
                    q,
                    "sweep.deploy",
                    "model:" + d.model() + "/" + d.version(),
                    "sweep " + d.sweep() + " trial " + d.trial() + " (job " + d.job() + ")");
                return d;
              });
        });
  }

  private static long id(RestRequest q) {
    return Long.parseLong(q.param(0));
  }
}
