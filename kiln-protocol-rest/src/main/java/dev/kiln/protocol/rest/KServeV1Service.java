package dev.kiln.protocol.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.explain.ExplainRequest;
import dev.kiln.core.explain.Explainer;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.Target;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.http.Access;
import dev.kiln.http.ErrorStyle;
import dev.kiln.http.HttpSettings;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * KServe's V1 explain verb, {@code POST /v1/models/<model>[/versions/<v>]:explain} with {@code {"instances": [row],
 * "parameters": {...}}}: the row as {@code /predict} reads instances (an array of the input's values, or an object by
 * column or input name), the parameters as {@code /v2/.../explain} reads them, and the same answer as that endpoint.
 * Errors are {@code {"error": "..."}}, as KServe's V1 server answers them. Kiln serves no other V1 verb: {@code /v1} is
 * the OpenAI API's, and {@code :predict} has {@code /predict} and {@code /v2/.../infer}.
 */
public final class KServeV1Service implements RestService {
  private final InferenceCore core;
  private final Executor blocking;
  private final OipCodec codec;
  private final OipJson views = new OipJson();
  private final Explainer explainer;

  /**
   * @param blocking where explanations run: each is many model calls in a row, so never on the event loop
   */
  public KServeV1Service(InferenceCore core, Executor blocking, HttpSettings settings) {
    this.core = Objects.requireNonNull(core, "core");
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.codec = new OipCodec(settings.maxJsonDepth(), settings.maxRequestBytes());
    this.explainer = new Explainer(core);
  }

  @Override
  public void addRoutes(Router r) {
    // Explaining runs the model like :predict would, so it takes the model's invoke scope.
    r.add(
        HttpMethod.POST,
        "/v1/models/([^/:]+)(?:/versions/([0-9]{1,18}))?:explain",
        Access.invoke(0),
        ErrorStyle.KILN,
        this::explain);
  }

  private CompletableFuture<RestResponse> explain(RestRequest q) {
    Target target = q.param(1) == null ? core.target(q.param(0)) : core.target(q.param(0), q.param(1));
    ModelSignature sig = core.metadata(target).signature(); // an unknown model is 404 before the body is judged
    JsonNode body = codec.parse(q.body());
    if (!body.isObject() || !body.has("instances")) {
      throw KilnException.invalid("expected {\"instances\": [row]} (KServe V1), with optional \"parameters\"");
    }
    JsonNode rows = body.get("instances");
    if (!rows.isArray() || rows.size() != 1) {
      throw KilnException.invalid(
          "'instances' must hold exactly one row to explain, got " + (rows.isArray() ? rows.size() : "no array"));
    }
    Map<String, Tensor> inputs = PredictService.inputs(body, sig, q.body().readableBytes());
    ExplainRequest req = ExplainJson.request(inputs, body.path("parameters"));
    return CompletableFuture.supplyAsync(() -> explainer.explain(target, req), blocking)
        .thenApply(e ->
            RestResponse.json(
                HttpResponseStatus.OK,
                ExplainJson.render(views.mapper(), e).toString().getBytes(StandardCharsets.UTF_8)));
  }
}
