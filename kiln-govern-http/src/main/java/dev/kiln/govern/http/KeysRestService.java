package dev.kiln.govern.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.auth.Action;
import dev.kiln.govern.auth.ApiKey;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.Scope;
import dev.kiln.govern.usage.UsageRow;
import dev.kiln.govern.usage.UsageStore;
import dev.kiln.http.Access;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.PagedApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keys, usage and the audit log under {@code /api/v1}: create, list, revoke and rotate keys (admin); usage per key and
 * model (admins see every key, other keys their own); the audit log (admin). Key changes are audited.
 */
public final class KeysRestService implements RestService {
  /**
   * Any id-like path segment reaches the handler, so an id that names no key is answered "no key ..." (404) rather than
   * "no route"; only ids of the issued form ({@link #ISSUED_ID}) are looked up.
   */
  private static final String KEY_ID = "([A-Za-z0-9_.-]{1,64})";

  private static final Pattern ISSUED_ID = Pattern.compile("[a-z2-7]{12}");

  /** The most keys or usage rows one page holds; a caller that names no page gets them all, as before pages. */
  private static final int MAX_LIMIT = 1000;

  private final ApiKeys keys;
  private final UsageStore usage;
  private final Runnable flushUsage;
  private final Auditor audit;

  /**
   * @param flushUsage writes this replica's pending usage first, so a caller reads its own latest calls
   */
  public KeysRestService(ApiKeys keys, UsageStore usage, Runnable flushUsage, Auditor audit) {
    this.keys = keys;
    this.usage = usage;
    this.flushUsage = flushUsage;
    this.audit = audit;
  }

  /** A key as the API shows it: never its secret hash. */
  record KeyView(
      String id,
      String name,
      List<String> scopes,
      Limits limits,
      Map<String, Limits> modelLimits,
      Instant created,
      String createdBy,
      Instant expires,
      Instant revoked,
      String token) {
    static KeyView of(ApiKey k, String token) {
      return new KeyView(
          k.id(),
          k.name(),
          k.scopes().stream().map(Scope::toString).toList(),
          k.limits(),
          k.modelLimits(),
          k.created(),
          k.createdBy(),
          k.expires(),
          k.revoked(),
          token);
    }
  }

  /** Its routes in the OpenAPI document ({@code keys.openapi.json} beside this class). */
  @Override
  public Optional<URL> openApi() {
    return Optional.of(KeysRestService.class.getResource("keys.openapi.json"));
  }

  @Override
  public void addRoutes(Router r) {
    r.add(
        HttpMethod.POST,
        "/api/v1/keys",
        Access.ADMIN,
        q -> {
          byte[] body = ManagementApi.body(q);
          return ManagementApi.json(q, HttpResponseStatus.CREATED, () -> create(q, body));
        });
    r.add(
        HttpMethod.GET,
        "/api/v1/keys",
        Access.ADMIN,
        q ->
            PagedApi.json(
                q,
                () ->
                    PagedApi.requested(q, MAX_LIMIT)
                        .orElse(PageRequest.ALL)
                        .of(keys.list())
                        .map(k -> KeyView.of(k, null))));
    r.add(
        HttpMethod.POST,
        "/api/v1/keys/" + KEY_ID + "/revoke",
        Access.ADMIN,
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  ApiKey k = keys.revoke(keyId(q));
                  audit.record(q.principal(), "key.revoke", "key:" + k.id(), q.source(), "ok", k.name());
                  return KeyView.of(k, null);
                }));
    r.add(
        HttpMethod.POST,
        "/api/v1/keys/" + KEY_ID + "/rotate",
        Access.ADMIN,
        q ->
            ManagementApi.json(
                q,
                HttpResponseStatus.OK,
                () -> {
                  ApiKeys.Created c = keys.rotate(keyId(q));
                  audit.record(q.principal(), "key.rotate", "key:" + c.key().id(), q.source(), "ok", c.key().name());
                  return KeyView.of(c.key(), c.token());
                }));
    r.add(
        HttpMethod.GET,
        "/api/v1/usage",
        Access.AUTHENTICATED,
        q -> PagedApi.json(q, () -> PagedApi.requested(q, MAX_LIMIT).orElse(PageRequest.ALL).of(usage(q))));
    r.add(
        HttpMethod.GET,
        "/api/v1/audit",
        Access.ADMIN,
        q ->
            PagedApi.json(
                q,
                () -> {
                  Map<String, List<String>> p = new QueryStringDecoder(q.http().uri()).parameters();
                  // Checked before the log is reached: a bad page is the caller's 400 whatever the log's state.
                  PageRequest page = PagedApi.page(q, 100, 10_000);
                  return audit
                      .log()
                      .query(
                          first(p, "actor", null),
                          first(p, "action", null),
                          first(p, "target", null),
                          instant(first(p, "from", null)),
                          instant(first(p, "to", null)),
                          page);
                }));
  }

  private static String keyId(RestRequest q) {
    String id = q.param(0);
    if (!ISSUED_ID.matcher(id).matches()) {
      throw new KilnException(
          ErrorKind.NOT_FOUND, "no key " + id + " (key ids are 12 characters, as kiln keys list " + "shows them)");
    }
    return id;
  }

  private KeyView create(RestRequest q, byte[] body) {
    JsonNode req;
    try {
      req = ApiJson.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "the key request is not valid JSON");
    }
    if (req == null || !req.isObject()) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "the key request must be a JSON object");
    }
    List<Scope> scopes = new ArrayList<>();
    for (JsonNode s : req.path("scopes")) {
      try {
        scopes.add(Scope.parse(s.asText()));
      } catch (IllegalArgumentException e) {
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, "scope '" + s.asText() + "': " + e.getMessage());
      }
    }
    Limits limits = limits(req.path("limits"));
    Map<String, Limits> perModel = new LinkedHashMap<>();
    req.path("model_limits").fields().forEachRemaining(e -> perModel.put(e.getKey(), limits(e.getValue())));
    Instant expires = null;
    if (req.hasNonNull("expires_in_days")) {
      expires = Instant.now().plus(Duration.ofDays(positive(req.get("expires_in_days"), "expires_in_days")));
    } else if (req.hasNonNull("expires_at")) {
      expires = instant(req.get("expires_at").asText());
    }
    ApiKeys.Created c = keys.create(req.path("name").asText(null), scopes, limits, perModel, expires, q.principal());
    audit.record(q.principal(), "key.create", "key:" + c.key().id(), q.source(), "ok", c.key().name() + " " + scopes);
    return KeyView.of(c.key(), c.token());
  }

  private List<UsageRow> usage(RestRequest q) {
    Map<String, List<String>> p = new QueryStringDecoder(q.http().uri()).parameters();
    String key = first(p, "key", null);
    boolean admin = keys.find(q.principal()).map(k -> k.allows(Action.ADMIN, null)).orElse(true);
    if (!admin) {
      if (key != null && !key.equals(q.principal())) {
        throw new KilnException(ErrorKind.PERMISSION_DENIED, "a key may only read its own usage");
      }
      key = q.principal();
    }
    flushUsage.run();
    LocalDate to = date(first(p, "to", null), LocalDate.now(ZoneOffset.UTC));
    LocalDate from = date(first(p, "from", null), to.minusDays(30));
    return usage.query(key, first(p, "model", null), from, to);
  }

  private static Limits limits(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return Limits.NONE;
    }
    return new Limits(
        optional(n, "requests_per_minute"), optional(n, "requests_per_day"), optional(n, "tokens_per_day"));
  }

  private static Long optional(JsonNode n, String field) {
    return n.hasNonNull(field) ? positive(n.get(field), field) : null;
  }

  private static long positive(JsonNode v, String field) {
    if (!v.canConvertToExactIntegral() || v.asLong() < 1) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, field + " must be a positive integer");
    }
    return v.asLong();
  }

  private static Instant instant(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "'" + s + "' is not an ISO-8601 instant");
    }
  }

  private static LocalDate date(String s, LocalDate dflt) {
    if (s == null) {
      return dflt;
    }
    try {
      return LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "'" + s + "' is not a date (YYYY-MM-DD)");
    }
  }

  private static String first(Map<String, List<String>> p, String k, String dflt) {
    List<String> v = p.get(k);
    return v == null || v.isEmpty() ? dflt : v.get(0);
  }
}
