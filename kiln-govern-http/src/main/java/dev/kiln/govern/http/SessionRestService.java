package dev.kiln.govern.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.auth.Action;
import dev.kiln.govern.auth.ApiKey;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.KeyTokens;
import dev.kiln.govern.auth.Scope;
import dev.kiln.govern.auth.Session;
import dev.kiln.govern.auth.Sessions;
import dev.kiln.http.Access;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import dev.kiln.http.SessionCookie;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.URL;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The web console's sign-in under {@code /api/v1/session}: POST signs in with an API key and sets the session cookie,
 * GET says who is signed in (and the CSRF token), DELETE signs out. With auth off every route answers that no sign-in
 * is needed. Sign-ins are audited, refused ones too.
 */
public final class SessionRestService implements RestService {
  private static final String PATH = "/api/v1/session";

  /** Who is signed in, as the console needs it; with auth off, only {@code auth: false} and {@code admin: true}. */
  record SessionView(
      boolean auth, String keyId, String name, List<String> scopes, boolean admin, String csrfToken, Instant expires) {
    static final SessionView NO_AUTH = new SessionView(false, null, null, List.of(), true, null, null);

    static SessionView of(ApiKey k, String session, Instant expires) {
      return new SessionView(
          true,
          k.id(),
          k.name(),
          k.scopes().stream().map(Scope::toString).toList(),
          k.allows(Action.ADMIN, null),
          session == null ? null : SessionCookie.csrfToken(session),
          expires);
    }
  }

  private final ApiKeys keys;
  private final Sessions sessions;
  private final Auditor audit;
  private final boolean secure;

  private SessionRestService(ApiKeys keys, Sessions sessions, Auditor audit, boolean secure) {
    this.keys = keys;
    this.sessions = sessions;
    this.audit = audit;
    this.secure = secure;
  }

  /**
   * Sign-in with auth on.
   *
   * @param secure whether the server speaks TLS: the cookie is then {@code Secure}, sent over HTTPS only
   */
  public static SessionRestService governed(ApiKeys keys, Sessions sessions, Auditor audit, boolean secure) {
    return new SessionRestService(
        Objects.requireNonNull(keys, "keys"),
        Objects.requireNonNull(sessions, "sessions"),
        Objects.requireNonNull(audit, "audit"),
        secure);
  }

  /** With auth off: every route answers {@code {"auth": false, "admin": true}}, and no cookie is set. */
  public static SessionRestService withoutAuth() {
    return new SessionRestService(null, null, null, false);
  }

  @Override
  public Optional<URL> openApi() {
    return Optional.of(SessionRestService.class.getResource("session.openapi.json"));
  }

  @Override
  public void addRoutes(Router r) {
    // Open: the key in the body is the credential. Authenticated: the gate has read the bearer key or the cookie.
    r.add(HttpMethod.POST, PATH, Access.OPEN, this::signIn);
    r.add(HttpMethod.GET, PATH, Access.AUTHENTICATED, this::whoAmI);
    r.add(HttpMethod.DELETE, PATH, Access.AUTHENTICATED, this::signOut);
  }

  private CompletableFuture<RestResponse> signIn(RestRequest q) {
    if (sessions == null) {
      return ManagementApi.json(q, HttpResponseStatus.OK, () -> SessionView.NO_AUTH);
    }
    String contentType = Objects.requireNonNullElse(q.header(HttpHeaderNames.CONTENT_TYPE.toString()), "");
    byte[] body = ManagementApi.body(q);
    return CompletableFuture.supplyAsync(
        () -> {
          // JSON only: an HTML form on another site cannot send it, so it cannot sign a browser in to its own key.
          if (!contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw KilnException.invalid(
                "sign in with a JSON body {\"key\": \"kiln_...\"} (Content-Type: application/json)");
          }
          String token = keyToken(body);
          ApiKey key;
          try {
            key = keys.authenticate(token);
          } catch (KilnException refused) {
            String id = KeyTokens.parse(token).map(p -> "key:" + p.id()).orElse("key:unknown");
            audit.record("anonymous", "session.start", id, q.source(), "denied", refused.getMessage());
            throw refused;
          }
          Sessions.Started s = sessions.start(key);
          audit.record(key.id(), "session.start", "key:" + key.id(), q.source(), "ok", key.name());
          return withCookie(
              SessionView.of(key, s.token(), s.session().expires()),
              SessionCookie.set(s.token(), sessions.lifetime(), secure));
        },
        q.blocking());
  }

  private CompletableFuture<RestResponse> whoAmI(RestRequest q) {
    if (sessions == null) {
      return ManagementApi.json(q, HttpResponseStatus.OK, () -> SessionView.NO_AUTH);
    }
    Optional<String> session = bearer(q) ? Optional.empty() : SessionCookie.from(q.http().headers());
    return ManagementApi.json(
        q,
        HttpResponseStatus.OK,
        () -> {
          ApiKey key = keys.find(q.principal()).orElseThrow(() -> KilnException.unauthenticated("unknown API key"));
          Instant expires = session.flatMap(sessions::find).map(Session::expires).orElse(null);
          return SessionView.of(key, session.orElse(null), expires);
        });
  }

  private CompletableFuture<RestResponse> signOut(RestRequest q) {
    if (sessions == null) {
      return ManagementApi.json(q, HttpResponseStatus.OK, () -> SessionView.NO_AUTH);
    }
    Optional<String> session = bearer(q) ? Optional.empty() : SessionCookie.from(q.http().headers());
    return CompletableFuture.supplyAsync(
        () -> {
          boolean ended = session.map(sessions::end).orElse(false);
          if (ended) {
            audit.record(q.principal(), "session.end", "key:" + q.principal(), q.source(), "ok", "");
          }
          return withCookie(Map.of("ended", ended), SessionCookie.clear(secure));
        },
        q.blocking());
  }

  private static boolean bearer(RestRequest q) {
    return q.header(HttpHeaderNames.AUTHORIZATION.toString()) != null;
  }

  private static RestResponse withCookie(Object body, String cookie) {
    RestResponse json = RestResponse.json(HttpResponseStatus.OK, ApiJson.write(body));
    return new RestResponse(
        json.status(),
        json.contentType(),
        json.body(),
        // The answer holds a CSRF token: no cache keeps it.
        Map.of("set-cookie", cookie, "cache-control", "no-store"));
  }

  private static String keyToken(byte[] body) {
    JsonNode req;
    try {
      req = ApiJson.MAPPER.readTree(body);
    } catch (IOException e) {
      throw KilnException.invalid("the sign-in request is not valid JSON");
    }
    if (req == null || !req.path("key").isTextual()) {
      throw KilnException.invalid("sign in with a JSON body {\"key\": \"kiln_...\"}");
    }
    return req.get("key").asText();
  }
}
