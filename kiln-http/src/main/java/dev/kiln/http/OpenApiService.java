package dev.kiln.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The OpenAPI 3.1 document of the management and training API, at {@code GET /api/v1/openapi.json}: this module's base
 * (info, the bearer scheme, the error shape) with each service's part ({@link RestService#openApi}) merged in, so a
 * feature documents its own routes and a server without it does not describe them. Any valid key may read it (it holds
 * no secrets, but every route but the health probes is closed by default; generators take a header, see README.md).
 */
public final class OpenApiService implements RestService {
  public static final String PATH = "/api/v1/openapi.json";

  private final byte[] document;

  /**
   * @param services the server's other services; their parts are merged in this order
   */
  public OpenApiService(List<RestService> services) {
    ObjectNode doc = (ObjectNode) read(OpenApiService.class.getResource("openapi.json"));
    for (RestService s : services) {
      s.openApi().ifPresent(part -> merge(doc, read(part), part));
    }
    this.document = ApiJson.write(doc);
  }

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.GET,
        PATH,
        Access.AUTHENTICATED,
        q -> CompletableFuture.completedFuture(RestResponse.json(HttpResponseStatus.OK, document)));
  }

  /**
   * Adds a part's paths and components (schemas, parameters, ...); a name documented twice is a wiring mistake, refused
   * at startup.
   */
  private static void merge(ObjectNode doc, JsonNode part, URL from) {
    add(doc.withObject("/paths"), part.path("paths"), from);
    for (Map.Entry<String, JsonNode> c : part.path("components").properties()) {
      add(doc.withObject("/components/" + c.getKey()), c.getValue(), from);
    }
  }

  private static void add(ObjectNode into, JsonNode from, URL where) {
    for (Map.Entry<String, JsonNode> e : from.properties()) {
      if (into.has(e.getKey())) {
        throw new IllegalStateException("OpenAPI: " + e.getKey() + " documented twice (again in " + where + ")");
      }
      into.set(e.getKey(), e.getValue());
    }
  }

  private static JsonNode read(URL resource) {
    Objects.requireNonNull(resource, "resource");
    try (InputStream in = resource.openStream()) {
      return ApiJson.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INTERNAL, "cannot read the OpenAPI part " + resource, e);
    }
  }
}
