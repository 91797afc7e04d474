package dev.kiln.training.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.http.Access;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.PagedApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.http.StreamBody;
import dev.kiln.training.data.ColumnPolicy;
import dev.kiln.training.data.DatasetDownload;
import dev.kiln.training.data.DatasetFormat;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetPreview;
import dev.kiln.training.data.PersonalColumns;
import dev.kiln.training.data.RetentionPeriod;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.Task;
import dev.kiln.training.job.Preparation;
import dev.kiln.training.job.TrainingService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dataset routes of the training API: upload (how to read the file comes from the query), list, show, download and
 * preview. Reading a version's bytes or rows is audited ({@code dataset.read}, {@code dataset.preview}); its metadata
 * is not (it is not the data).
 */
final class DatasetRoutes implements RestService {
  /** The most dataset versions one page holds. */
  private static final int MAX_LIMIT = 1000;

  private static final String NAME = ManagementApi.NAME;
  private static final Logger LOG = Logger.getLogger(DatasetRoutes.class.getName());

  private final TrainingService training;
  private final TrainingAudit audit;

  DatasetRoutes(TrainingService training, TrainingAudit audit) {
    this.training = training;
    this.audit = audit;
  }

  @Override
  public void addRoutes(Router r) {
    r.add(HttpMethod.GET, "/api/v1/datasets", Access.TRAIN, q -> PagedApi.json(q, () -> list(q)));
    r.add(HttpMethod.POST, "/api/v1/datasets/" + NAME, Access.TRAIN, this::addDataset);
    // Metadata, bytes and rows: a key that may train (and owns it) or holds a dataset scope on the name.
    r.add(
        HttpMethod.GET,
        "/api/v1/datasets/" + NAME,
        Access.dataset(0),
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> training.dataset(q.param(0), null, q.grants())));
    r.add(
        HttpMethod.GET,
        "/api/v1/datasets/" + NAME + "/versions/([0-9]{1,9})",
        Access.dataset(0),
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> training.datasetReport(q.param(0), Integer.parseInt(q.param(1)), q.grants())));
    r.add(HttpMethod.GET, "/api/v1/datasets/" + NAME + "/versions/([0-9]{1,9})/data", Access.dataset(0), this::data);
    r.add(
        HttpMethod.GET,
        "/api/v1/datasets/" + NAME + "/versions/([0-9]{1,9})/preview",
        Access.dataset(0),
        this::preview);
  }

  /**
   * The dataset versions the caller may see, as stored (by name, then version): {@code q} keeps the names that contain
   * it (any case); {@code limit} (at most {@value #MAX_LIMIT}) and {@code offset} page them, everything when neither is
   * given, as before pages.
   */
  private Page<DatasetManifest> list(RestRequest q) {
    String text = q.query("q").orElse("").toLowerCase(Locale.ROOT);
    return PagedApi.requested(q, MAX_LIMIT)
        .orElse(PageRequest.ALL)
        .of(
            training.datasets(q.grants()).stream()
                .filter(m -> m.name().toLowerCase(Locale.ROOT).contains(text))
                .toList());
  }

  /**
   * The version's stored bytes ({@link DatasetDownload}), streamed from the stored copy in chunks on a blocking thread.
   * Access and the checksum are checked before the head is sent, so a refusal is an ordinary error; a failure halfway
   * closes the connection, so the client sees a cut body, never a short one that looks whole.
   */
  private CompletableFuture<RestResponse> data(RestRequest q) {
    return CompletableFuture.supplyAsync(
        () -> {
          var stored = training.stored(q.param(0), Integer.parseInt(q.param(1)), q.grants());
          var download = new DatasetDownload(stored);
          audit.ok(q, "dataset.read", target(stored), stored.manifest().sizeBytes() + " bytes");
          StreamBody body =
              out ->
                  q.blocking()
                      .execute(() -> {
                        try (var o = out.output()) {
                          download.writeTo(o);
                        } catch (IOException | RuntimeException e) {
                          LOG.log(Level.FINE, "download of " + target(stored) + " cut short", e);
                          out.abort();
                          return;
                        }
                        out.end();
                      });
          return new RestResponse(
              HttpResponseStatus.OK,
              download.contentType(),
              Unpooled.EMPTY_BUFFER,
              Map.of("content-disposition", "attachment; filename=\"" + download.fileName() + "\""),
              body);
        },
        q.blocking());
  }

  /** The first {@code rows} (default 10, at most {@link DatasetPreview#MAX_ROWS}) rows of a CSV version as JSON. */
  private CompletableFuture<RestResponse> preview(RestRequest q) {
    String rows = q.query("rows").orElse("10");
    if (!rows.matches("[0-9]{1,6}")) {
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT, "rows: '" + rows + "' (expected: 1 to " + DatasetPreview.MAX_ROWS + ")");
    }
    return ManagementApi.json(
        q,
        HttpResponseStatus.OK,
        () -> {
          var stored = training.stored(q.param(0), Integer.parseInt(q.param(1)), q.grants());
          var preview = DatasetPreview.of(stored, Integer.parseInt(rows));
          audit.ok(q, "dataset.preview", target(stored), preview.rows().size() + " rows");
          return preview;
        });
  }

  private static String target(StoredDataset stored) {
    return "dataset:" + stored.ref().name() + "/" + stored.ref().version();
  }

  /**
   * The body is the dataset file (CSV, TSV or labelled-text CSV, gzipped or not), or a zip of a folder dataset (content
   * type {@code application/zip}: image folder, IDX pair, text folder); how to read it comes from the query: {@code
   * label}, {@code format}, {@code task}, {@code delimiter}, {@code text}, {@code channels}, and for text the dataset's
   * own {@code preparation} defaults ({@link Preparation#DATASET_KEYS}: {@code tokenizer}, {@code lowercase}, ...), and
   * the CSV's column policy ({@link ColumnPolicy#parse}: {@code drop}, {@code hash}, {@code mask=column:N}). A dataset
   * over the server's limits (rows, columns, cells, inflated bytes, image pixels, archive size) is answered 413;
   * reading streams the stored copy, so memory stays within those limits.
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
    Map<String, String> textOptions = new LinkedHashMap<>();
    Preparation.DATASET_KEYS.forEach(k -> Optional.ofNullable(first(query, k)).ifPresent(v -> textOptions.put(k, v)));
    if (!textOptions.isEmpty()) {
      options = options.withPreparation(Preparation.datasetText(textOptions));
    }
    List<String> none = List.of();
    ColumnPolicy policy =
        ColumnPolicy.parse(
            query.getOrDefault("drop", none), query.getOrDefault("hash", none), query.getOrDefault("mask", none));
    options = options.withPolicy(policy);
    Optional<Duration> retention = RetentionPeriod.parse(first(query, "retention"));
    if (retention.isPresent()) {
      training.requireRetention(); // before anything is stored
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
            audit.ok(q, "dataset.add", "dataset:" + m.name() + "/" + m.version(), "sha256 " + m.sha256());
            if (retention.isPresent()) {
              training.retainDataset(m.name(), retention, q.grants());
            }
            return new UploadReport(m, training.personalColumns(m, q.grants()));
          } finally {
            body.release();
          }
        });
  }

  /**
   * The upload's answer: the stored version's manifest, and the columns that look like personal data (a hint for the
   * next version's policy; nothing was changed).
   */
  record UploadReport(@JsonUnwrapped DatasetManifest manifest, List<PersonalColumns.PersonalColumn> personalColumns) {}

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
