package dev.kiln.scoring.http;

import dev.kiln.govern.audit.Auditor;
import dev.kiln.http.Access;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.PagedApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.http.StreamBody;
import dev.kiln.scoring.ScoringJob;
import dev.kiln.scoring.ScoringService;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.URL;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /api/v1/scoring-jobs}: submit ({@code POST}), list (paged), show, cancel, follow ({@code /events}, Server-Sent
 * Events) and download the predictions ({@code /output}, streamed part by part). Every route needs a key; what it may
 * do is the service's decision (the model's invoke scope and read access to the dataset to submit; its own jobs, or
 * every job for an admin, to see them). Handlers run off the event loop.
 */
public final class ScoringRestService implements RestService, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ScoringRestService.class.getName());
  private static final String ID = "/api/v1/scoring-jobs/([0-9]{1,18})";
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;

  private final ScoringService scoring;
  private final Optional<Auditor> audit;
  private final ScoringEvents events;

  /**
   * @param audit where submissions, cancels and downloads are recorded; empty without governance
   */
  public ScoringRestService(ScoringService scoring, Optional<Auditor> audit) {
    this.scoring = scoring;
    this.audit = audit;
    this.events = new ScoringEvents(scoring);
  }

  @Override
  public Optional<URL> openApi() {
    return Optional.of(ScoringRestService.class.getResource("openapi.json"));
  }

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.POST,
        "/api/v1/scoring-jobs",
        Access.AUTHENTICATED,
        q -> {
          byte[] body = ManagementApi.body(q);
          return ManagementApi.json(
              q,
              HttpResponseStatus.ACCEPTED,
              () -> {
                ScoringJob job = scoring.submit(ScoringRequests.read(body), q.grants());
                audited(
                    q,
                    "scoring.submit",
                    job,
                    job.request().model() + " on " + job.request().dataset() + " v" + job.request().datasetVersion());
                return job;
              });
        });
    r.add(
        HttpMethod.GET,
        "/api/v1/scoring-jobs",
        Access.AUTHENTICATED,
        q -> PagedApi.json(q, () -> scoring.jobs(PagedApi.page(q, DEFAULT_LIMIT, MAX_LIMIT), q.grants())));
    r.add(
        HttpMethod.GET,
        ID,
        Access.AUTHENTICATED,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> scoring.job(id(q), q.grants())));
    r.add(
        HttpMethod.POST,
        ID + "/cancel",
        Access.AUTHENTICATED,
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  ScoringJob job = scoring.cancel(id(q), q.grants());
                  audited(q, "scoring.cancel", job, job.state().name());
                  return job;
                }));
    r.add(HttpMethod.GET, ID + "/events", Access.AUTHENTICATED, events::events);
    r.add(HttpMethod.GET, ID + "/output", Access.AUTHENTICATED, this::output);
  }

  /**
   * The predictions as CSV, streamed from the committed parts on a blocking thread, one part in memory at a time. The
   * job's state and access are checked before the head is sent, so a refusal is an ordinary error; a failure halfway
   * closes the connection, so the client sees a cut body, never a short one that looks whole.
   */
  private CompletableFuture<RestResponse> output(RestRequest q) {
    return CompletableFuture.supplyAsync(
        () -> {
          ScoringService.Output output = scoring.output(id(q), q.grants());
          ScoringJob job = output.job();
          audited(q, "scoring.output", job, job.rowsDone() + " rows");
          StreamBody body =
              out ->
                  q.blocking()
                      .execute(() -> {
                        try (var o = out.output()) {
                          output.writeTo(o);
                        } catch (IOException | RuntimeException e) {
                          LOG.log(Level.FINE, "download of scoring job " + job.id() + " cut short", e);
                          out.abort();
                          return;
                        }
                        out.end();
                      });
          return new RestResponse(
              HttpResponseStatus.OK,
              "text/csv; charset=utf-8",
              Unpooled.EMPTY_BUFFER,
              Map.of("content-disposition", "attachment; filename=\"scoring-" + job.id() + ".csv\""),
              body);
        },
        q.blocking());
  }

  private void audited(RestRequest q, String action, ScoringJob job, String detail) {
    audit.ifPresent(a -> a.record(q.principal(), action, "scoring-job:" + job.id(), q.source(), "ok", detail));
  }

  static long id(RestRequest q) {
    return Long.parseLong(q.param(0));
  }

  @Override
  public void close() {
    events.close();
  }
}
