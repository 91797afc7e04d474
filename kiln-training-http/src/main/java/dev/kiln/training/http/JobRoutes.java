package dev.kiln.training.http;

import static dev.kiln.training.http.Routes.ID;
import static dev.kiln.training.http.Routes.id;
import static dev.kiln.training.http.Routes.json;
import static dev.kiln.training.http.Routes.modelName;
import static dev.kiln.training.http.Routes.withBody;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.paging.Page;
import dev.kiln.http.Access;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.PagedApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobFilter;
import dev.kiln.training.job.JobJson;
import dev.kiln.training.job.JobSplits;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.TrainingService;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The job routes of the training API: submit, list, show, cancel, deploy, download the model, follow the events, read
 * the rows of its splits.
 */
final class JobRoutes implements RestService {
  /** Jobs carry their whole history, so a listing is paged even for a caller that names no page. */
  static final int DEFAULT_LIMIT = 100;

  static final int MAX_LIMIT = 1000;

  private final TrainingService training;
  private final TrainingAudit audit;
  private final JobEventStream events;

  JobRoutes(TrainingService training, TrainingAudit audit, JobEventStream events) {
    this.training = training;
    this.audit = audit;
    this.events = events;
  }

  @Override
  public void addRoutes(Router r) {
    r.add(HttpMethod.GET, "/api/v1/jobs", Access.TRAIN, q -> PagedApi.json(q, () -> list(q)));
    r.add(
        HttpMethod.POST,
        "/api/v1/jobs",
        Access.TRAIN,
        withBody(
            HttpResponseStatus.ACCEPTED,
            (q, body) -> {
              Job job = training.submit(JobJson.readRequest(body), q.grants());
              audit.ok(
                  q, "job.submit", "job:" + job.id(), job.request().dataset() + " v" + job.request().datasetVersion());
              audit.used(q, List.of(job.request()), "job " + job.id());
              return job;
            }));
    // A dry run: the submission's checks, nothing queued, nothing audited (nothing happened).
    r.add(
        HttpMethod.POST,
        "/api/v1/jobs/validate",
        Access.TRAIN,
        withBody(
            HttpResponseStatus.OK,
            (q, body) -> Map.of("valid", true, "request", training.check(JobJson.readRequest(body), q.grants()))));
    r.add(
        HttpMethod.GET,
        "/api/v1/jobs/" + ID,
        Access.TRAIN,
        json(
            HttpResponseStatus.OK,
            q -> {
              Job job = training.job(id(q), q.grants());
              return new JobView(job, training.datasetDeleted(job).orElse(null));
            }));
    r.add(
        HttpMethod.POST,
        "/api/v1/jobs/" + ID + "/cancel",
        Access.TRAIN,
        json(
            HttpResponseStatus.OK,
            q -> {
              Job job = training.cancel(id(q), q.grants());
              audit.ok(q, "job.cancel", "job:" + job.id(), job.state().name().toLowerCase(Locale.ROOT));
              return job;
            }));
    r.add(
        HttpMethod.POST,
        "/api/v1/jobs/" + ID + "/deploy",
        Access.TRAIN,
        withBody(
            HttpResponseStatus.CREATED,
            (q, body) -> {
              var d = training.deploy(id(q), modelName(body), q.grants());
              audit.ok(q, "job.deploy", "model:" + d.model() + "/" + d.version(), "job " + id(q));
              return d;
            }));
    r.add(HttpMethod.GET, "/api/v1/jobs/" + ID + "/model", Access.TRAIN, this::model);
    r.add(HttpMethod.GET, "/api/v1/jobs/" + ID + "/splits", Access.TRAIN, this::splits);
    r.add(HttpMethod.GET, "/api/v1/jobs/" + ID + "/events", Access.TRAIN, events::events);
  }

  /**
   * A page of the jobs the caller may see, newest first: {@code state}, {@code dataset}, {@code q} (dataset or model
   * type, any case), {@code sweep}; {@code limit} (default {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}) and
   * {@code offset}. Without their step losses ({@link Job#withoutSteps}).
   */
  private Page<Job> list(RestRequest q) {
    JobState state =
        q.query("state")
            .map(s -> {
              try {
                return JobState.valueOf(s.toUpperCase(Locale.ROOT));
              } catch (IllegalArgumentException e) {
                throw KilnException.invalid(
                    "query parameter 'state' must be one of queued, running, succeeded, failed, cancelled");
              }
            })
            .orElse(null);
    Long sweep = q.query("sweep").isEmpty() ? null : (long) q.intQuery("sweep", 0, 1, Integer.MAX_VALUE);
    JobFilter filter = new JobFilter(state, q.query("dataset").orElse(null), q.query("q").orElse(null), sweep, null);
    return training.jobs(filter, PagedApi.page(q, DEFAULT_LIMIT, MAX_LIMIT), q.grants()).map(Job::withoutSteps);
  }

  private CompletableFuture<RestResponse> model(RestRequest q) {
    long id = id(q);
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            byte[] onnx = Files.readAllBytes(training.modelFile(id, q.grants()));
            return new RestResponse(
                HttpResponseStatus.OK,
                "application/octet-stream",
                Unpooled.wrappedBuffer(onnx),
                Map.of("content-disposition", "attachment; filename=\"job-" + id + ".onnx\""));
          } catch (IOException e) {
            throw new KilnException(ErrorKind.INTERNAL, "cannot read the model of job " + id, e);
          }
        },
        q.blocking());
  }

  /**
   * The recorded row indexes (and the engine's test predictions) as JSON, or with {@code ?as=csv&split=test} one
   * split's rows themselves as CSV; {@code &predictions=true} adds the test rows' {@code prediction} column.
   */
  private CompletableFuture<RestResponse> splits(RestRequest q) {
    String as = q.query("as").orElse("json");
    if (as.equals("json")) {
      return ManagementApi.json(q, HttpResponseStatus.OK, () -> training.splits(id(q), q.grants()));
    }
    long id = id(q);
    return CompletableFuture.supplyAsync(
        () -> {
          if (!as.equals("csv")) {
            throw new KilnException(ErrorKind.INVALID_ARGUMENT, "as: '" + as + "' (expected: json or csv)");
          }
          String split =
              q.query("split")
                  .orElseThrow(() ->
                      new KilnException(
                          ErrorKind.INVALID_ARGUMENT, "split: needed with as=csv (train, validation or test)"));
          String predictions = q.query("predictions").orElse("false");
          if (!predictions.equals("true") && !predictions.equals("false")) {
            throw new KilnException(
                ErrorKind.INVALID_ARGUMENT, "predictions: '" + predictions + "' (expected: true or false)");
          }
          // Checks the split's name before it names the file.
          byte[] csv = training.splitCsv(id, split, predictions.equals("true"), q.grants());
          // The rows themselves are a read of the dataset version they come from.
          JobSplits s = training.splits(id, q.grants());
          boolean other = split.equals("validation") && s.validationDataset() != null;
          audit.ok(
              q,
              "dataset.read",
              other
                  ? "dataset:" + s.validationDataset().name() + "/" + s.validationDataset().version()
                  : "dataset:" + s.dataset() + "/" + s.version(),
              "job " + id + " " + split + " rows");
          return new RestResponse(
              HttpResponseStatus.OK,
              "text/csv; charset=utf-8",
              Unpooled.wrappedBuffer(csv),
              Map.of("content-disposition", "attachment; filename=\"job-" + id + "-" + split + ".csv\""));
        },
        q.blocking());
  }
}
