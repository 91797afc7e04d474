package dev.kiln.protocol.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.access.ModelRefs;
import dev.kiln.core.explain.ExplainRequest;
import dev.kiln.core.explain.Explainer;
import dev.kiln.core.oip.ModelRef;
import dev.kiln.core.oip.OipOperation;
import dev.kiln.core.oip.OipRulebook;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.http.Access;
import dev.kiln.http.HttpSettings;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The Open Inference Protocol REST API (KServe V2) and Triton's REST extensions for the model repository, model
 * configuration and statistics. Paths follow Triton's URL grammar: versions are numeric. The rules (permissions, how a
 * model is found, the views) are {@link OipRulebook}'s, shared with gRPC; this class only decodes paths and bodies and
 * renders the answers as JSON.
 */
public final class OipRestService implements RestService {
  /** Extensions only REST implements; {@code GET /v2} lists them before those every protocol implements. */
  static final List<String> REST_EXTENSIONS = List.of("binary_tensor_data", "explain");

  /** Names a version by alias, as {@code /v2/models/mnist@production/infer} does in the path. */
  static final String ALIAS_HEADER = ModelRef.ALIAS_KEY;

  private static final String MODEL = "/v2/models/([^/]+)(?:/versions/([0-9]+))?";

  private final OipRulebook oip;
  private final Executor blocking;
  private final OipCodec codec;
  private final OipJson views = new OipJson();
  private final Explainer explainer;

  /**
   * @param blocking where slow management calls (loading a model) run, off the event loop
   */
  public OipRestService(InferenceCore core, Executor blocking, HttpSettings settings) {
    this.oip = new OipRulebook(Objects.requireNonNull(core, "core"));
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.codec = new OipCodec(settings.maxJsonDepth(), settings.maxRequestBytes());
    this.explainer = new Explainer(core);
  }

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.GET,
        "/v2/health/live",
        access(OipOperation.SERVER_LIVE),
        q ->
            done(
                oip.live() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                views.flag("live", oip.live())));
    r.add(
        HttpMethod.GET,
        "/v2/health/ready",
        access(OipOperation.SERVER_READY),
        q ->
            done(
                oip.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                views.flag("ready", oip.ready())));
    r.add(
        HttpMethod.GET,
        "/v2/?",
        access(OipOperation.SERVER_METADATA),
        q -> done(HttpResponseStatus.OK, views.server(oip.serverMetadata(REST_EXTENSIONS))));
    // Kiln's own listing, beside OIP: any key, each sees the ready models it may call or change.
    r.add(
        HttpMethod.GET,
        "/v2/models/?",
        Access.AUTHENTICATED,
        q -> done(HttpResponseStatus.OK, readyModels(oip.readyModels(q.grants()))));
    r.add(
        HttpMethod.GET,
        "/v2/models/stats",
        access(OipOperation.ALL_STATISTICS),
        q -> done(HttpResponseStatus.OK, views.statistics(oip.allStatistics())));
    r.add(
        HttpMethod.GET,
        MODEL,
        access(OipOperation.MODEL_METADATA),
        q -> done(HttpResponseStatus.OK, views.metadata(oip.metadata(ref(q)))));
    r.add(
        HttpMethod.GET,
        MODEL + "/ready",
        access(OipOperation.MODEL_READY),
        q -> {
          boolean ready = oip.modelReady(ref(q));
          return done(
              ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
              views.mapper().createObjectNode().put("name", q.param(0)).put("ready", ready));
        });
    r.add(HttpMethod.POST, MODEL + "/infer", access(OipOperation.INFER), this::infer);
    // Kiln's extension: explaining a prediction runs the model like /infer, so it takes the same scope.
    r.add(HttpMethod.POST, MODEL + "/explain", access(OipOperation.INFER), this::explain);
    r.add(
        HttpMethod.GET,
        MODEL + "/config",
        access(OipOperation.MODEL_CONFIG),
        q -> done(HttpResponseStatus.OK, views.config(oip.config(ref(q)))));
    r.add(
        HttpMethod.GET,
        MODEL + "/stats",
        access(OipOperation.MODEL_STATISTICS),
        q -> done(HttpResponseStatus.OK, views.statistics(oip.statistics(ref(q)))));
    r.add(HttpMethod.POST, "/v2/repository/index", access(OipOperation.REPOSITORY_INDEX), this::index);
    r.add(
        HttpMethod.POST,
        "/v2/repository/models/([^/]+)/load",
        access(OipOperation.REPOSITORY_LOAD),
        q -> control(q, true));
    r.add(
        HttpMethod.POST,
        "/v2/repository/models/([^/]+)/unload",
        access(OipOperation.REPOSITORY_UNLOAD),
        q -> control(q, false));
  }

  /** The route's requirement, from the rulebook; the model is path parameter 0, without its alias. */
  private static Access access(OipOperation op) {
    return new Access(op.permission(), op.namesModel() ? q -> ModelRefs.name(q.param(0)) : q -> null);
  }

  /** The model a {@link #MODEL} path names, with the alias header. */
  private static ModelRef ref(RestRequest q) {
    String alias = q.header(ALIAS_HEADER);
    return ModelRef.of(q.param(0), Objects.requireNonNullElse(q.param(1), ""), Objects.requireNonNullElse(alias, ""));
  }

  private CompletableFuture<RestResponse> infer(RestRequest q) {
    ModelRef ref = ref(q);
    OipCodec.Decoded d = codec.decode(q.body(), q.header(OipCodec.HEADER_LENGTH), () -> oip.metadata(ref).signature());
    return oip.infer(ref, d.request())
        .thenApplyAsync(resp -> codec.encode(resp, d).withRows(d.request().rows()), q.executor());
  }

  private CompletableFuture<RestResponse> explain(RestRequest q) {
    ModelRef ref = ref(q);
    oip.metadata(ref); // an unknown model is 404 before anything in the body is judged
    // JSON only: the background rides in parameters, which the binary extension has no place for.
    OipCodec.Decoded d = codec.decode(q.body(), null, () -> oip.metadata(ref).signature());
    ExplainRequest req = ExplainJson.request(d.request().inputs(), codec.parse(q.body()).path("parameters"));
    return CompletableFuture.supplyAsync(() -> oip.explain(explainer, ref, req), blocking)
        .thenApply(e -> RestResponse.json(HttpResponseStatus.OK, bytes(ExplainJson.render(views.mapper(), e))));
  }

  private static byte[] bytes(JsonNode body) {
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  private CompletableFuture<RestResponse> index(RestRequest q) {
    boolean readyOnly = false;
    if (q.body().isReadable()) {
      JsonNode body = codec.parse(q.body());
      readyOnly = body.path("ready").asBoolean(false);
    }
    return done(HttpResponseStatus.OK, views.index(oip.index(readyOnly, q.grants())));
  }

  private CompletableFuture<RestResponse> control(RestRequest q, boolean load) {
    List<String> parameters = new ArrayList<>();
    if (q.body().isReadable()) {
      JsonNode p = codec.parse(q.body()).path("parameters");
      if (p.isObject()) {
        p.fieldNames().forEachRemaining(parameters::add);
      }
    }
    String model = q.param(0);
    return CompletableFuture.supplyAsync(
        () -> {
          if (load) {
            oip.load(model, parameters);
          } else {
            oip.unload(model, parameters);
          }
          return RestResponse.json(HttpResponseStatus.OK, "{}".getBytes(StandardCharsets.UTF_8));
        },
        blocking);
  }

  private ObjectNode readyModels(List<String> names) {
    ObjectNode o = views.mapper().createObjectNode();
    ArrayNode a = o.putArray("models");
    names.forEach(a::add);
    return o;
  }

  private static CompletableFuture<RestResponse> done(HttpResponseStatus status, JsonNode body) {
    return CompletableFuture.completedFuture(
        RestResponse.json(status, body.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
