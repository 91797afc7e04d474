package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.Router;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document describes exactly the {@code /api/v1} routes of a server with every feature on: a route
 * it leaves out, or a path it documents that no route answers, fails the build. A new route is documented in its
 * feature's {@code openapi.json} part (beside its {@code RestService}).
 */
class OpenApiDocumentTest extends GovernanceServerFixture {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
  private static final Pattern TEMPLATE = Pattern.compile("\\{([^}/]+)}");

  @Test
  void theDocumentIsServedToAnyKeyAndIsOpenApi31() throws Exception {
    start(true);
    String path = "/api/v1/openapi.json";
    assertThat(call("GET", path, null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> r = call("GET", path, key("caller", "invoke:*"), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode doc = JSON.readTree(r.body());
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(doc.at("/components/securitySchemes/apiKey/scheme").asText()).isEqualTo("bearer");
    assertThat(doc.at("/components/schemas/Error/required/0").asText()).isEqualTo("error");
    assertThat(doc.at("/paths/~1api~1v1~1jobs/post/requestBody/content/application~1json/schema/$ref").asText())
        .isEqualTo("#/components/schemas/JobRequest");
    assertThat(doc.at("/components/schemas/Job/properties/sweep/properties/trial/type").asText()).isEqualTo("integer");
    assertThat(
            doc.at("/paths/~1api~1v1~1sweeps/get/responses/200/content/application~1json/schema/items/$ref").asText())
        .isEqualTo("#/components/schemas/SweepSummary");
    assertThat(unresolvedRefs(doc, doc)).as("$refs that point nowhere").isEmpty();
  }

  @Test
  void everyApiRouteIsDocumentedAndEveryDocumentedPathIsARoute() throws Exception {
    start(true);
    JsonNode doc = JSON.readTree(call("GET", "/api/v1/openapi.json", admin, null).body());
    List<Router.Route> routes =
        kiln.http().routes().stream().filter(r -> r.pattern().pattern().startsWith("/api/v1/")).toList();
    assertThat(routes).hasSizeGreaterThan(25);

    Set<String> undocumented = new TreeSet<>();
    for (Router.Route route : routes) {
      String example = GovernanceServerTest.example(route);
      String method = route.method().name().toLowerCase(Locale.ROOT);
      boolean documented = false;
      for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
        documented |= p.getValue().has(method) && templateRegex(p.getKey()).matcher(example).matches();
      }
      if (!documented) {
        undocumented.add(route.method() + " " + route.pattern());
      }
    }
    Set<String> absent = new TreeSet<>();
    for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
      for (Map.Entry<String, JsonNode> op : p.getValue().properties()) {
        if (!METHODS.contains(op.getKey())) {
          continue; // path-level parameters, summary
        }
        String path = concrete(doc, p.getKey(), p.getValue(), op.getValue());
        boolean routed =
            routes.stream()
                .anyMatch(r -> r.method().name().equalsIgnoreCase(op.getKey()) && r.pattern().matcher(path).matches());
        if (!routed) {
          absent.add(op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey() + " (as " + path + ")");
        }
      }
    }
    assertThat(undocumented)
        .as("routes missing from the OpenAPI document (and documented, absent: %s)", absent)
        .isEmpty();
    assertThat(absent).as("documented operations no route answers").isEmpty();
  }

  /** {@code /a/{name}/b} as a regular expression: each parameter is one path segment. */
  private static Pattern templateRegex(String template) {
    StringBuilder regex = new StringBuilder();
    Matcher m = TEMPLATE.matcher(template);
    int at = 0;
    while (m.find()) {
      regex.append(Pattern.quote(template.substring(at, m.start()))).append("[^/]+");
      at = m.end();
    }
    return Pattern.compile(regex.append(Pattern.quote(template.substring(at))).toString());
  }

  /** The template with each path parameter replaced by its documented example (every path parameter needs one). */
  private static String concrete(JsonNode doc, String template, JsonNode pathItem, JsonNode operation) {
    List<JsonNode> params = new ArrayList<>();
    pathItem.path("parameters").forEach(params::add);
    operation.path("parameters").forEach(params::add);
    String path = template;
    for (JsonNode p : params) {
      JsonNode param = p.has("$ref") ? doc.at(p.get("$ref").asText().substring(1)) : p;
      if (param.path("in").asText().equals("path")) {
        assertThat(param.has("example")).as("example of path parameter %s in %s", param, template).isTrue();
        path = path.replace("{" + param.get("name").asText() + "}", param.get("example").asText());
      }
    }
    assertThat(path).as("every parameter of %s is declared", template).doesNotContain("{");
    return path;
  }

  private static List<String> unresolvedRefs(JsonNode doc, JsonNode node) {
    List<String> missing = new ArrayList<>();
    if (node.has("$ref") && doc.at(node.get("$ref").asText().substring(1)).isMissingNode()) {
      missing.add(node.get("$ref").asText());
    }
    node.forEach(child -> missing.addAll(unresolvedRefs(doc, child)));
    return missing;
  }
}
