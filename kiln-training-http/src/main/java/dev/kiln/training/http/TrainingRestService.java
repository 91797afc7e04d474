package dev.kiln.training.http;

import dev.kiln.core.access.Grants;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.audit.Auditor;
import dev.kiln.http.Access;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.ResponseStream;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.training.data.DatasetFormat;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.Task;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobEvent;
import dev.kiln.training.job.JobJson;
import dev.kiln.training.job.TrainingService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The training API under {@code /api/v1}: datasets (upload, list, show), jobs (submit, list, show, cancel, deploy,
 * download the model) and a job's progress as Server-Sent Events. Everything here blocks on files or data preparation,
 * so handlers run on virtual threads, never on the event loop.
 */
public final class TrainingRestService implements RestService, AutoCloseable {
  private static final String NAME = ManagementApi.NAME;
  private static final String ID = "([0-9]{1,18})";

  /** How often an event stream re-reads the stored job, to see changes made by other replicas. */
  private static final long POLL_MS = 1000;

  private final TrainingService training;
  private final Optional<Auditor> audit;

  /** Re-reads jobs for open event streams; stopped by {@link #close}. */
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kiln-sse-poll").daemon().factory());

  /** A training API that records nothing in an audit log (a server without governance). */
  public TrainingRestService(TrainingService training) {
    this.training = Objects.requireNonNull(training, "training");
    this.audit = Optional.empty();
  }

  /**
   * @param audit where dataset uploads, job submissions, cancels and deploys are recorded
   */
  public TrainingRestService(TrainingService training, Auditor audit) {
    this.training = Objects.requireNonNull(training, "training");
    this.audit = Optional.of(audit);
  }

  /** Stops re-reading jobs for event streams; streams still open get no more events. */
  @Override
  public void close() {
    ticker.shutdownNow();
  }

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.GET,
        "/api/v1/datasets",
        Access.TRAIN,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> training.datasets(q.grants())));
    r.add(HttpMethod.POST, "/api/v1/datasets/" + NAME, Access.TRAIN, this::addDataset);
    r.add(
        HttpMethod.GET,
        "/api/v1/datasets/" + NAME,
        Access.TRAIN,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> training.dataset(q.param(0), null, q.grants())));
    r.add(
        HttpMethod.GET,
        "/api/v1/datasets/" + NAME + "/versions/([0-9]{1,9})",
        Access.TRAIN,
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> training.dataset(q.param(0), Integer.parseInt(q.param(1)), q.grants())));
    r.add(
        HttpMethod.GET,
        "/api/v1/jobs",
        Access.TRAIN,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> training.jobs(q.grants())));
    r.add(
        HttpMethod.POST,
        "/api/v1/jobs",
        Access.TRAIN,
        q -> {
          byte[] body = ManagementApi.body(q);
          return ManagementApi.json(
              q,
              HttpResponseStatus.ACCEPTED,
              () -> {
                Job job = training.submit(JobJson.readRequest(body), q.grants());
                audit(
                    q,
                    "job.submit",
                    "job:" + job.id(),
                    job.request().dataset() + " v" + job.request().datasetVersion());
                return job;
              });
        });
    r.add(
        HttpMethod.GET,
        "/api/v1/jobs/" + ID,
        Access.TRAIN,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> training.job(id(q), q.grants())));
    r.add(
        HttpMethod.POST,
        "/api/v1/jobs/" + ID + "/cancel",
        Access.TRAIN,
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  Job job = training.cancel(id(q), q.grants());
                  audit(q, "job.cancel", "job:" + job.id(), job.state().name().toLowerCase(Locale.ROOT));
                  return job;
                }));
    r.add(
        HttpMethod.POST,
        "/api/v1/jobs/" + ID + "/deploy",
        Access.TRAIN,
        q -> {
          byte[] body = ManagementApi.body(q);
          return ManagementApi.json(
              q,
              HttpResponseStatus.CREATED,
              () -> {
                var d = training.deploy(id(q), modelName(body), q.grants());
                audit(q, "job.deploy", "model:" + d.model() + "/" + d.version(), "job " + id(q));
                return d;
              });
        });
    r.add(HttpMethod.GET, "/api/v1/jobs/" + ID + "/model", Access.TRAIN, this::model);
    r.add(HttpMethod.GET, "/api/v1/jobs/" + ID + "/events", Access.TRAIN, this::events);
  }

  /**
   * The body is the dataset file (CSV, TSV or labelled-text CSV, gzipped or not), or a zip of a folder dataset (content
   * type {@code application/zip}: image folder, IDX pair, text folder); how to read it comes from the query: {@code
   * label}, {@code format}, {@code task}, {@code delimiter}, {@code text}, {@code channels}. A dataset over the
   * server's limits (rows, columns, cells, inflated bytes, image pixels, archive size) is answered 413; reading streams
   * the stored copy, so memory stays within those limits.
   */
  private CompletableFuture<RestResponse> addDataset(RestRequest q) {
    Map<String, List<String>> query = new QueryStringDecoder(q.http().uri()).parameters();
    DatasetOptions options = DatasetOptions.detect();
    String format = first(query, "format");
    String label = first(query, "label");
    String text = first(query, "text");
    if (text != null) {
      options = DatasetOptions.textCsv(text, label);
    } else if (label != null) {
      options = options.withLabel(label);
    }
    if (format != null) {
      options = options.withFormat(parse(DatasetFormat.class, "format", format));
    }
    String task = first(query, "task");
    if (task != null) {
      options = options.withTask(parse(Task.Type.class, "task", task));
    }
    String channels = first(query, "channels");
    if (channels != null) {
      if (!channels.equals("1") && !channels.equals("3")) {
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, "channels: '" + channels + "' (expected: 1 or 3)");
      }
      options = options.withChannels(Integer.parseInt(channels));
    }
    String delimiter = first(query, "delimiter");
    if (delimiter != null) {
      if (delimiter.length() != 1) {
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, "delimiter must be one character");
      }
      options = options.withDelimiter(delimiter.charAt(0));
    }
    // Read in place, not copied: the upload is held once (at most --max-request-bytes), then streamed to disk.
    ByteBuf body = q.body().retainedDuplicate();
    DatasetOptions o = options;
    String name = q.param(0);
    String type = q.header("content-type");
    boolean zip = (type != null && type.startsWith("application/zip")) || "zip".equals(first(query, "archive"));
    return ManagementApi.json(
        q,
        HttpResponseStatus.CREATED,
        () -> {
          try {
            var in = new ByteBufInputStream(body);
            var m =
                zip
                    ? training.addDatasetArchive(name, in, o, q.grants())
                    : training.addDataset(name, in, o, q.grants());
            audit(q, "dataset.add", "dataset:" + m.name() + "/" + m.version(), "sha256 " + m.sha256());
            return m;
          } finally {
            body.release();
          }
        });
  }

  private void audit(RestRequest q, String action, String target, String detail) {
    audit.ifPresent(a -> a.record(q.principal(), action, target, q.source(), "ok", detail));
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
   * The job's progress as Server-Sent Events: {@code state} first (the whole job), then {@code step}, {@code epoch},
   * {@code resumed} as they happen, and a last {@code state} when the job is over, after which the stream ends. Jobs
   * running on another replica are followed through the store once a second.
   */
  private CompletableFuture<RestResponse> events(RestRequest q) {
    long id = id(q);
    return CompletableFuture.supplyAsync(
        () -> {
          Job first = training.job(id, q.grants());
          return RestResponse.events(out -> follow(id, q.grants(), first, out));
        },
        q.blocking());
  }

  private void follow(long id, Grants who, Job first, ResponseStream out) {
    out.event("state", new String(JobJson.write(first), StandardCharsets.UTF_8));
    if (first.state().finished()) {
      out.end();
      return;
    }
    Object lock = new Object();
    AutoCloseable watch;
    try {
      watch = training.watch(id, who, e -> send(out, e, lock));
    } catch (RuntimeException e) {
      out.end();
      return;
    }
    var poll =
        ticker.scheduleWithFixedDelay(
            () -> {
              try {
                Job now = training.job(id, who);
                if (now.state().finished()) {
                  synchronized (lock) {
                    out.event("state", new String(JobJson.write(now), StandardCharsets.UTF_8));
                  }
                  out.end();
                }
              } catch (RuntimeException e) {
                out.end();
              }
            },
            POLL_MS,
            POLL_MS,
            TimeUnit.MILLISECONDS);
    out.onClose(() -> {
      poll.cancel(false);
      try {
        watch.close();
      } catch (Exception ignored) {
        // nothing to release beyond the registration
      }
    });
  }

  private static void send(ResponseStream out, JobEvent e, Object lock) {
    synchronized (lock) {
      out.event(e.type(), new String(JobJson.write(e.data()), StandardCharsets.UTF_8));
    }
    if (e.type().equals("state") && e.data() instanceof Job j && j.state().finished()) {
      out.end();
    }
  }

  private static String modelName(byte[] body) {
    try {
      var node = JobJson.MAPPER.readTree(body);
      if (node == null || !node.path("name").isTextual()) {
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, "deploy needs {\"name\": \"<model name>\"}");
      }
      return node.get("name").asText();
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "deploy needs {\"name\": \"<model name>\"}");
    }
  }

  private static long id(RestRequest q) {
    return Long.parseLong(q.param(0));
  }

  private static String first(Map<String, List<String>> query, String key) {
    List<String> v = query.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String what, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT,
          what + " '" + value + "' is not one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
    }
  }
}
