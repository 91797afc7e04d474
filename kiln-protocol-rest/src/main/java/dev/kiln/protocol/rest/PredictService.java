package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.InferenceResponse;
import dev.kiln.core.serving.Target;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.http.Access;
import dev.kiln.http.HttpSettings;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /predict[/<model>[/versions/<v>]]}: the simplest way to call a model, in the style of a Flask tutorial
 * server or TF Serving's row format.
 *
 * <ul>
 *   <li>{@code {"instances": [row, row, ...]}}: each row is one input's value, or an object by input name;
 *   <li>{@code {"inputs": tensor}} or {@code {"inputs": {"name": tensor}}}: whole tensors (or, for a model that names
 *       its columns, one array per column name);
 *   <li>for a single-input model, any one key with an array ({@code {"x": [...]}}): reshaped to the model's input like
 *       {@code np.reshape(-1, ...)}, so a flat list of numbers is enough;
 *   <li>for a model that names its columns ({@link TensorSpec#columns()}), rows as objects keyed by column name, or a
 *       {@code text/csv} body with a header row: see {@link NamedRows}.
 * </ul>
 *
 * Answers {@code {"model_name", "model_version", "predictions": [...]}}, one entry per row (an object by output name
 * when the model has several outputs), plus {@code "classes"} (arg-max per row) when the single output is a matrix of
 * scores.
 */
public final class PredictService implements RestService {
  private final InferenceCore core;
  private final Optional<String> defaultModel;
  private final OipCodec codec;

  public PredictService(InferenceCore core, Optional<String> defaultModel, HttpSettings settings) {
    this.core = core;
    this.defaultModel = defaultModel;
    this.codec = new OipCodec(settings.maxJsonDepth(), settings.maxRequestBytes());
  }

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.POST,
        "/predict/?",
        new Access(Permission.INVOKE, q -> defaultModelOrNull()),
        q -> predict(q, defaultModel(), null));
    r.add(
        HttpMethod.POST,
        "/predict/([^/]+)(?:/versions/([0-9]+))?",
        Access.invoke(0),
        q -> predict(q, q.param(0), q.param(1)));
  }

  private CompletableFuture<RestResponse> predict(RestRequest q, String model, String version) {
    boolean csv =
        Optional.ofNullable(q.header("Content-Type")).orElse("").toLowerCase(Locale.ROOT).startsWith("text/csv");
    JsonNode parsed = csv ? null : codec.parse(q.body());
    Target target = version == null ? core.target(model) : core.target(model, version);
    ModelSignature sig = core.metadata(target).signature();
    JsonNode body =
        csv
            ? JsonNodeFactory.instance
                .objectNode()
                .set("instances", NamedRows.fromCsv(q.body().toString(StandardCharsets.UTF_8), sig))
            : parsed;
    if (!body.isObject()) {
      throw KilnException.invalid("request body must be a JSON object");
    }
    Map<String, Tensor> inputs = inputs(body, sig, q.body().readableBytes());
    InferenceRequest request = InferenceRequest.of(inputs);
    return core.infer(target, request).thenApplyAsync(r -> encode(r).withRows(request.rows()), q.executor());
  }

  /** The model {@code POST /predict} would call, for access checks; null when there is none to call. */
  private String defaultModelOrNull() {
    try {
      return defaultModel();
    } catch (KilnException e) {
      return null;
    }
  }

  private String defaultModel() {
    if (defaultModel.isPresent()) {
      return defaultModel.get();
    }
    List<String> ready = core.readyModels();
    if (ready.size() != 1) {
      throw KilnException.invalid(
          ready.isEmpty() ? "no model is ready" : "several models are served; name one: POST /predict/<model>");
    }
    return ready.get(0);
  }

  static Map<String, Tensor> inputs(JsonNode body, ModelSignature sig, long bodyBytes) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    Optional<JsonNode> named = NamedRows.rows(body, sig);
    if (named.isPresent()) {
      NamedRows.byInput(named.get(), sig).forEach((n, v) -> out.put(n, reshaped(sig.input(n).get(), v, bodyBytes)));
      return out;
    }
    if (body.has("instances")) {
      JsonNode rows = body.get("instances");
      if (!rows.isArray() || rows.isEmpty()) {
        throw KilnException.invalid("'instances' must be a non-empty array");
      }
      for (TensorSpec spec : sig.inputs()) {
        JsonNode column = sig.inputs().size() == 1 && !rows.get(0).isObject() ? rows : column(rows, spec.name());
        out.put(spec.name(), reshaped(spec, column, bodyBytes));
      }
      return out;
    }
    if (body.has("inputs")) {
      JsonNode in = body.get("inputs");
      if (in.isObject()) {
        for (TensorSpec spec : sig.inputs()) {
          if (!in.has(spec.name())) {
            throw KilnException.invalid("missing input '" + spec.name() + "'");
          }
          out.put(spec.name(), reshaped(spec, in.get(spec.name()), bodyBytes));
        }
        return out;
      }
      return single(sig, in, bodyBytes);
    }
    if (body.size() == 1) {
      return single(sig, body.elements().next(), bodyBytes);
    }
    throw KilnException.invalid("expected {\"instances\": [...]}, {\"inputs\": ...} or one key with an array");
  }

  private static Map<String, Tensor> single(ModelSignature sig, JsonNode data, long bodyBytes) {
    if (sig.inputs().size() != 1) {
      throw KilnException.invalid(
          "the model has "
              + sig.inputs().size()
              + " inputs; send "
              + "{\"instances\": [{name: value}, ...]} or {\"inputs\": {name: value}}");
    }
    TensorSpec spec = sig.inputs().get(0);
    return Map.of(spec.name(), reshaped(spec, data, bodyBytes));
  }

  private static JsonNode column(JsonNode rows, String name) {
    var arr = JsonNodeFactory.instance.arrayNode();
    for (JsonNode row : rows) {
      if (!row.isObject() || !row.has(name)) {
        throw KilnException.invalid("every instance needs input '" + name + "'");
      }
      arr.add(row.get(name));
    }
    return arr;
  }

  /** Shapes data for an input: [-1, fixed...] takes any number of elements that fills whole rows. */
  private static Tensor reshaped(TensorSpec spec, JsonNode data, long bodyBytes) {
    long[] declared = spec.shape();
    long total = count(data);
    long[] shape = declared.clone();
    long fixed = 1;
    int variable = 0;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        variable++;
      } else {
        fixed = Math.multiplyExact(fixed, shape[i]);
      }
    }
    if (variable == 1) {
      if (fixed == 0 || total % fixed != 0) {
        throw KilnException.invalid(
            "input '" + spec.name() + "': " + total + " values do not fill whole rows of " + Shape.format(declared));
      }
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? total / fixed : shape[i];
      }
    } else if (variable > 1) {
      shape = natural(data);
      if (shape.length == declared.length - 1) {
        long[] withBatch = new long[declared.length];
        withBatch[0] = 1;
        System.arraycopy(shape, 0, withBatch, 1, shape.length);
        shape = withBatch;
      }
    }
    return JsonTensors.decode(spec.name(), spec.datatype(), shape, data, bodyBytes);
  }

  private static long count(JsonNode n) {
    if (!n.isArray()) {
      return 1;
    }
    long c = 0;
    for (JsonNode x : n) {
      c += count(x);
    }
    return c;
  }

  private static long[] natural(JsonNode n) {
    List<Long> dims = new ArrayList<>();
    JsonNode at = n;
    while (at.isArray()) {
      dims.add((long) at.size());
      if (at.isEmpty()) {
        break;
      }
      at = at.get(0);
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private RestResponse encode(InferenceResponse resp) {
    ByteBuf buf = Unpooled.buffer(256);
    try (JsonGenerator g = codec.mapper().getFactory().createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
      g.writeStartObject();
      g.writeStringField("model_name", resp.model());
      g.writeStringField("model_version", Long.toString(resp.version()));
      Map<String, Tensor> outs = resp.outputs();
      Tensor first = outs.values().iterator().next();
      int rows = (int) first.rows();
      g.writeArrayFieldStart("predictions");
      for (int r = 0; r < rows; r++) {
        if (outs.size() == 1) {
          JsonTensors.encodeRows(g, first, r);
        } else {
          g.writeStartObject();
          for (Iterator<Map.Entry<String, Tensor>> it = outs.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Tensor> e = it.next();
            g.writeFieldName(e.getKey());
            JsonTensors.encodeRows(g, e.getValue(), r);
          }
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      if (outs.size() == 1
          && first.rank() == 2
          && first.shape()[1] > 1
          && (first.type() == DataType.FP32 || first.type() == DataType.FP64)) {
        g.writeArrayFieldStart("classes");
        for (int r = 0; r < rows; r++) {
          g.writeNumber(argmax(first, r));
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RestResponse(HttpResponseStatus.OK, "application/json", buf, Map.of());
  }

  private static int argmax(Tensor t, int row) {
    int cols = (int) t.shape()[1];
    var b = t.data();
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < cols; c++) {
      int i = row * cols + c;
      double v = t.type() == DataType.FP32 ? b.getFloat(i * 4) : b.getDouble(i * 8);
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    return best;
  }
}
