package dev.kiln.protocol.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.access.Grants;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.ModelMetadata;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.core.serving.Target;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import dev.kiln.http.Access;
import dev.kiln.http.HttpSettings;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;

/**
 * The Open Inference Protocol REST API (KServe V2) and Triton's REST extensions for the model repository,
 * model configuration and statistics. Paths follow Triton's URL grammar: versions are numeric.
 */
public final class OipRestService implements RestService {
  /** What {@code GET /v2} reports: only extensions this server really implements. */
  public static final List<String> EXTENSIONS =
      List.of("binary_tensor_data", "model_repository", "model_configuration", "statistics");

  /** Names a version by alias, as {@code /v2/models/mnist@production/infer} does in the path. */
  static final String ALIAS_HEADER = "kiln-model-alias";
  private static final String MODEL = "/v2/models/([^/]+)(?:/versions/([0-9]+))?";

  private final InferenceCore core;
  private final String serverVersion;
  private final Executor blocking;
  private final OipCodec codec;
  private final OipJson views = new OipJson();

  /**
   * @param blocking where slow management calls (loading a model) run, off the event loop
   */
  public OipRestService(InferenceCore core, String serverVersion, Executor blocking,
      HttpSettings settings) {
    this.core = Objects.requireNonNull(core, "core");
    this.serverVersion = serverVersion;
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.codec = new OipCodec(settings.maxJsonDepth(), settings.maxRequestBytes());
  }

  @Override
  public void addRoutes(Router r) {
    r.add(HttpMethod.GET, "/v2/health/live", Access.OPEN, q -> done(core.live() ? HttpResponseStatus.OK
        : HttpResponseStatus.SERVICE_UNAVAILABLE, views.mapper().createObjectNode().put("live", core.live())));
    r.add(HttpMethod.GET, "/v2/health/ready", Access.OPEN, q -> done(core.ready() ? HttpResponseStatus.OK
        : HttpResponseStatus.SERVICE_UNAVAILABLE, views.mapper().createObjectNode().put("ready", core.ready())));
    r.add(HttpMethod.GET, "/v2/?", Access.AUTHENTICATED, q -> done(HttpResponseStatus.OK, serverMetadata()));
    r.add(HttpMethod.GET, "/v2/models/?", Access.AUTHENTICATED,
        q -> done(HttpResponseStatus.OK, readyModels(q.grants())));
    r.add(HttpMethod.GET, "/v2/models/stats", Access.MANAGE_ALL, q -> done(HttpResponseStatus.OK,
        views.statistics(core.statistics())));
    r.add(HttpMethod.GET, MODEL, Access.invoke(0),
        q -> done(HttpResponseStatus.OK, views.metadata(core.metadata(target(q)))));
    r.add(HttpMethod.GET, MODEL + "/ready", Access.invoke(0), this::modelReady);
    r.add(HttpMethod.POST, MODEL + "/infer", Access.invoke(0), this::infer);
    r.add(HttpMethod.GET, MODEL + "/config", Access.invoke(0), q -> {
      ModelMetadata m = core.metadata(target(q));
      return done(HttpResponseStatus.OK, views.config(core.config(q.param(0)), m.platform(), m.signature()));
    });
    r.add(HttpMethod.GET, MODEL + "/stats", Access.invoke(0), q -> done(HttpResponseStatus.OK,
        views.statistics(core.statistics(target(q)))));
    // Any key may ask; each sees the models it may call or change (a key scoped manage:iris-* lists its own).
    r.add(HttpMethod.POST, "/v2/repository/index", Access.AUTHENTICATED, this::index);
    r.add(HttpMethod.POST, "/v2/repository/models/([^/]+)/load", Access.manage(0), q -> control(q, true));
    r.add(HttpMethod.POST, "/v2/repository/models/([^/]+)/unload", Access.manage(0), q -> control(q, false));
  }

  private CompletableFuture<RestResponse> infer(RestRequest q) {
    String alias = q.header(ALIAS_HEADER);
    String model = alias == null || q.param(0).contains("@") ? q.param(0) : q.param(0) + "@" + alias;
    Target target = q.param(1) == null ? core.target(model) : core.target(model, q.param(1));
    OipCodec.Decoded d = codec.decode(q.body(), q.header(OipCodec.HEADER_LENGTH),
        () -> core.metadata(target).signature());
    return core.infer(target, d.request())
        .thenApplyAsync(resp -> codec.encode(resp, d).withRows(d.request().rows()), q.executor());
  }

  private CompletableFuture<RestResponse> modelReady(RestRequest q) {
    boolean ready;
    try {
      Target target = target(q);
      core.metadata(target); // unknown model or version: 404
      ready = core.modelReady(target);
    } catch (KilnException e) {
      if (e.kind() == ErrorKind.NOT_FOUND) {
        throw e;
      }
      ready = false;
    }
    return done(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
        views.mapper().createObjectNode().put("name", q.param(0)).put("ready", ready));
  }

  /** The model (or model@alias) and version the path names. */
  private Target target(RestRequest q) {
    return q.param(1) == null ? core.target(q.param(0)) : core.target(q.param(0), q.param(1));
  }

  private CompletableFuture<RestResponse> index(RestRequest q) {
    boolean readyOnly = false;
    if (q.body().isReadable()) {
      JsonNode body = codec.parse(q.body());
      readyOnly = body.path("ready").asBoolean(false);
    }
    List<RepositoryEntry> rows = core.index(readyOnly).stream().filter(e -> q.grants().sees(e.name())).toList();
    return done(HttpResponseStatus.OK, views.index(rows));
  }

  private CompletableFuture<RestResponse> control(RestRequest q, boolean load) {
    if (q.body().isReadable()) {
      JsonNode p = codec.parse(q.body()).path("parameters");
      if (p.isObject() && p.fieldNames().hasNext() && !p.has("unload_dependents")) {
        throw KilnException.unsupported("load parameters (config overrides, file uploads) are not supported; "
            + "change the model repository instead");
      }
    }
    String model = q.param(0);
    return CompletableFuture.supplyAsync(() -> {
      if (load) {
        core.load(model);
      } else {
        core.unload(model);
      }
      return RestResponse.json(HttpResponseStatus.OK, "{}".getBytes(StandardCharsets.UTF_8));
    }, blocking);
  }

  private ObjectNode serverMetadata() {
    ObjectNode o = views.mapper().createObjectNode().put("name", "kiln").put("version", serverVersion);
    ArrayNode ext = o.putArray("extensions");
    EXTENSIONS.forEach(ext::add);
    return o;
  }

  /** The ready models the caller may call or change. */
  private ObjectNode readyModels(Grants grants) {
    ObjectNode o = views.mapper().createObjectNode();
    ArrayNode a = o.putArray("models");
    core.readyModels().stream().filter(grants::sees).forEach(a::add);
    return o;
  }

  private static CompletableFuture<RestResponse> done(HttpResponseStatus status, JsonNode body) {
    return CompletableFuture.completedFuture(
        RestResponse.json(status, body.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
