package dev.kiln.govern.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.govern.registry.Deployments;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.http.Access;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.PagedApi;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The model registry under {@code /api/v1/models}: push versions (the ONNX file as the body), list, show, pull a
 * version's file back, aliases, model card, archive, delete. A route adapter only: changes that change what is served
 * go to {@link Deployments} (which loads a pushed version and undoes one that does not load), the rest to the registry,
 * which audits every change.
 */
public final class RegistryRestService implements RestService {
  private static final String NAME = ManagementApi.NAME;
  private static final String ALIAS = "([A-Za-z][A-Za-z0-9_-]{0,31})";

  /** The most models one page of the listing holds; a caller that names no page gets every model, as before pages. */
  private static final int MAX_LIMIT = 1000;

  private final ModelRegistry registry;
  private final Deployments deployments;

  /**
   * @param deployments pushes, deletes, aliases and archives, each followed by what serves
   */
  public RegistryRestService(ModelRegistry registry, Deployments deployments) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.deployments = Objects.requireNonNull(deployments, "deployments");
  }

  /** A model with its versions and aliases, as the API shows it. */
  record ModelView(
      String name,
      String card,
      String createdBy,
      Instant created,
      boolean archived,
      List<VersionRecord> versions,
      Map<String, Long> aliases) {}

  /** Its routes in the OpenAPI document ({@code registry.openapi.json} beside this class). */
  @Override
  public Optional<URL> openApi() {
    return Optional.of(RegistryRestService.class.getResource("registry.openapi.json"));
  }

  @Override
  public void addRoutes(Router r) {
    // Any key may ask; each sees the models it may manage (what the routes below would show it): q filters the names.
    r.add(
        HttpMethod.GET,
        "/api/v1/models",
        Access.AUTHENTICATED,
        q ->
            PagedApi.json(
                q,
                () ->
                    PagedApi.requested(q, MAX_LIMIT)
                        .orElse(PageRequest.ALL)
                        .of(
                            registry.summaries(q.query("q").orElse("")).stream()
                                .filter(m -> q.grants().may(Permission.MANAGE, m.name()))
                                .toList())));
    r.add(
        HttpMethod.GET,
        "/api/v1/models/" + NAME,
        Access.manage(0),
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> view(q.param(0))));
    r.add(
        HttpMethod.POST,
        "/api/v1/models/" + NAME + "/versions",
        Access.manage(0),
        q -> {
          byte[] body = ManagementApi.body(q);
          Map<String, List<String>> p = new QueryStringDecoder(q.http().uri()).parameters();
          String metadata = p.containsKey("metadata") ? p.get("metadata").get(0) : "{}";
          return ManagementApi.json(
              q,
              HttpResponseStatus.CREATED,
              () -> {
                if (body.length == 0) {
                  throw new KilnException(ErrorKind.INVALID_ARGUMENT, "the body must be the model file");
                }
                // A version that cannot serve is refused and undone, with the reason.
                return deployments.push(
                    q.param(0), new ByteArrayInputStream(body), "uploaded", metadata, q.principal(), q.source());
              });
        });
    r.add(
        HttpMethod.GET,
        "/api/v1/models/" + NAME + "/versions/([0-9]{1,18})",
        Access.manage(0),
        q ->
            ManagementApi.json(
                q, HttpResponseStatus.OK, () -> registry.version(q.param(0), Long.parseLong(q.param(1)))));
    // The weights themselves: as sensitive as pushing them, so the same manage scope (admin holds it everywhere).
    r.add(
        HttpMethod.GET,
        "/api/v1/models/" + NAME + "/versions/([0-9]{1,18})/artifact",
        Access.manage(0),
        q -> CompletableFuture.supplyAsync(() -> artifact(q.param(0), Long.parseLong(q.param(1))), q.blocking()));
    r.add(
        HttpMethod.GET,
        "/api/v1/models/" + NAME + "/aliases/" + ALIAS + "/artifact",
        Access.manage(0),
        q -> CompletableFuture.supplyAsync(() -> artifact(q.param(0), aliased(q.param(0), q.param(1))), q.blocking()));
    r.add(
        HttpMethod.DELETE,
        "/api/v1/models/" + NAME + "/versions/([0-9]{1,18})",
        Access.manage(0),
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  deployments.deleteVersion(q.param(0), Long.parseLong(q.param(1)), q.principal(), q.source());
                  return Map.of("deleted", q.param(0) + "/" + q.param(1));
                }));
    r.add(
        HttpMethod.PUT,
        "/api/v1/models/" + NAME + "/aliases/" + ALIAS,
        Access.manage(0),
        q -> {
          byte[] body = ManagementApi.body(q);
          return ManagementApi.json(
              q,
              HttpResponseStatus.OK,
              () -> {
                long version = field(body, "version").asLong();
                deployments.alias(q.param(0), q.param(1), version, q.principal(), q.source());
                return registry.aliases(q.param(0));
              });
        });
    r.add(
        HttpMethod.DELETE,
        "/api/v1/models/" + NAME + "/aliases/" + ALIAS,
        Access.manage(0),
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  registry.unalias(q.param(0), q.param(1), q.principal(), q.source());
                  return registry.aliases(q.param(0));
                }));
    r.add(
        HttpMethod.PUT,
        "/api/v1/models/" + NAME + "/card",
        Access.manage(0),
        q -> {
          String card = new String(ManagementApi.body(q), StandardCharsets.UTF_8);
          return ManagementApi.json(
              q,
              HttpResponseStatus.OK,
              () -> {
                if (card.length() > 100_000) {
                  throw new KilnException(
                      ErrorKind.INVALID_ARGUMENT, "a model card may hold at most 100,000 characters");
                }
                registry.setCard(q.param(0), card, q.principal(), q.source());
                return view(q.param(0));
              });
        });
    r.add(
        HttpMethod.POST,
        "/api/v1/models/" + NAME + "/(archive|unarchive)",
        Access.manage(0),
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  deployments.archive(q.param(0), q.param(1).equals("archive"), q.principal(), q.source());
                  return view(q.param(0));
                }));
    r.add(
        HttpMethod.DELETE,
        "/api/v1/models/" + NAME,
        Access.manage(0),
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  deployments.deleteModel(q.param(0), q.principal(), q.source());
                  return Map.of("deleted", q.param(0));
                }));
  }

  /**
   * A version's file, decrypted and checked against its recorded sha256 by the store (a tampered file is a 503 and no
   * byte of it is sent). The checksum travels in {@code kiln-sha256} so a client can check what it received.
   */
  private RestResponse artifact(String name, long version) {
    VersionRecord v = registry.version(name, version);
    byte[] file = registry.contents(v);
    return new RestResponse(
        HttpResponseStatus.OK,
        "application/octet-stream",
        Unpooled.wrappedBuffer(file),
        Map.of(
            "kiln-sha256",
            v.sha256(),
            "content-disposition",
            "attachment; filename=\"" + v.model() + "-" + v.version() + "." + v.format() + "\""));
  }

  private long aliased(String name, String alias) {
    registry.model(name); // an unknown model is named as such, not as a missing alias
    return registry
        .resolve(name, alias)
        .orElseThrow(() -> KilnException.notFound("no alias '" + alias + "' on model '" + name + "'"));
  }

  private ModelView view(String name) {
    var m = registry.model(name);
    return new ModelView(
        m.name(),
        m.card(),
        m.createdBy(),
        m.created(),
        m.archived(),
        registry.versions(name),
        new LinkedHashMap<>(registry.aliases(name)));
  }

  private static JsonNode field(byte[] body, String name) {
    try {
      JsonNode n = ApiJson.MAPPER.readTree(body);
      if (n == null || !n.path(name).canConvertToExactIntegral()) {
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, "expected {\"" + name + "\": <integer>}");
      }
      return n.get(name);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "expected {\"" + name + "\": <integer>}");
    }
  }
}
