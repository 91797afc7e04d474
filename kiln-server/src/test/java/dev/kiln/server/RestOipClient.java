package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.oip.OipOperation;
import dev.kiln.server.OipCall.Answer;
import dev.kiln.server.OipCall.Outcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The scenarios' calls over real HTTP, answers read from the OIP REST JSON. */
final class RestOipClient implements OipCall.Client {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final int port;

  RestOipClient(int port) {
    this.port = port;
  }

  @Override
  public Answer call(OipCall c, String token) throws Exception {
    String model = "/v2/models/" + c.model() + (c.version().isEmpty() ? "" : "/versions/" + c.version());
    String body = null;
    String path =
        switch (c.op()) {
          case SERVER_LIVE -> "/v2/health/live";
          case SERVER_READY -> "/v2/health/ready";
          case SERVER_METADATA -> "/v2";
          case MODEL_READY -> model + "/ready";
          case MODEL_METADATA -> model;
          case MODEL_CONFIG -> model + "/config";
          case MODEL_STATISTICS -> model + "/stats";
          case ALL_STATISTICS -> "/v2/models/stats";
          case INFER -> {
            body = OipCall.ADD_SUB_INFER;
            yield model + "/infer";
          }
          case REPOSITORY_INDEX -> {
            body = "{}";
            yield "/v2/repository/index";
          }
          case REPOSITORY_LOAD, REPOSITORY_UNLOAD -> {
            body =
                "{\"parameters\": {"
                    + c.parameters().stream().map(p -> "\"" + p + "\": true").collect(Collectors.joining(", "))
                    + "}}";
            yield "/v2/repository/models/" + c.model() + (c.op() == OipOperation.REPOSITORY_LOAD ? "/load" : "/unload");
          }
        };
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(
                body == null ? "GET" : "POST",
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (!token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    if (!c.alias().isEmpty()) {
      b.header("kiln-model-alias", c.alias());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    String detail = "HTTP " + r.statusCode() + " " + r.body();
    Outcome outcome = outcome(c.op(), r.statusCode());
    if (outcome != Outcome.OK) {
      return Answer.failed(outcome, detail);
    }
    return new Answer(outcome, facts(c.op(), JSON.readTree(r.body())), detail);
  }

  private static Outcome outcome(OipOperation op, int status) {
    return switch (status) {
      case 200 -> Outcome.OK;
      case 503 -> op == OipOperation.MODEL_READY ? Outcome.NOT_READY : Outcome.OTHER;
      case 401 -> Outcome.UNAUTHENTICATED;
      case 403 -> Outcome.DENIED;
      case 404 -> Outcome.NOT_FOUND;
      case 400 -> Outcome.INVALID;
      case 501 -> Outcome.UNSUPPORTED;
      default -> Outcome.OTHER;
    };
  }

  private static Map<String, String> facts(OipOperation op, JsonNode j) {
    Map<String, String> f = new LinkedHashMap<>();
    switch (op) {
      case SERVER_METADATA -> {
        f.put("name", j.get("name").asText());
        f.put("version", j.get("version").asText());
        List<String> ext = new ArrayList<>();
        j.get("extensions").forEach(e -> ext.add(e.asText()));
        ext.remove("binary_tensor_data"); // REST's own extension; gRPC has no binary tensor data
        ext.remove("explain"); // REST's own too: explanations have no gRPC method yet
        f.put("extensions", String.join(",", ext));
      }
      case MODEL_METADATA -> {
        f.put("name", j.get("name").asText());
        f.put("versions", j.get("versions").toString().replace("\"", ""));
        f.put("platform", j.get("platform").asText());
        f.put("inputs", tensors(j.get("inputs"), "datatype", "shape"));
      }
      case MODEL_CONFIG -> {
        f.put("name", j.get("name").asText());
        f.put("platform", j.get("platform").asText());
        f.put("max_batch_size", j.get("max_batch_size").asText());
        f.put("input", tensors(j.get("input"), "data_type", "dims"));
        f.put("output", tensors(j.get("output"), "data_type", "dims"));
        JsonNode db = j.path("dynamic_batching");
        f.put(
            "dynamic_batching",
            db.isMissingNode()
                ? "none"
                : db.get("preferred_batch_size") + " " + db.get("max_queue_delay_microseconds").asLong() + "us");
        JsonNode group = j.get("instance_group").get(0);
        f.put("instance_group", group.get("count").asInt() + " " + group.get("kind").asText());
        JsonNode vp = j.get("version_policy");
        String kind = vp.fieldNames().next();
        f.put(
            "version_policy",
            kind
                + " "
                + (kind.equals("latest")
                    ? vp.at("/latest/num_versions").asText()
                    : kind.equals("specific") ? vp.at("/specific/versions").toString() : ""));
      }
      case MODEL_STATISTICS, ALL_STATISTICS -> {
        List<String> rows = new ArrayList<>();
        j.get("model_stats").forEach(s -> rows.add(s.get("name").asText() + "/" + s.get("version").asText()));
        f.put("model_stats", String.join(",", rows));
      }
      case INFER -> {
        f.put("model_name", j.get("model_name").asText());
        f.put("model_version", j.get("model_version").asText());
      }
      case REPOSITORY_INDEX -> {
        List<String> rows = new ArrayList<>();
        j.forEach(
            e -> rows.add(e.get("name").asText() + "/" + e.path("version").asText("") + "/" + e.get("state").asText()));
        f.put("index", String.join(",", rows));
      }
      case MODEL_READY -> f.put("ready", j.get("ready").asText());
      default -> {}
    }
    return f;
  }

  private static String tensors(JsonNode a, String type, String shape) {
    List<String> out = new ArrayList<>();
    a.forEach(t -> out.add(t.get("name").asText() + ":" + t.get(type).asText() + ":" + t.get(shape)));
    return String.join(",", out);
  }
}
