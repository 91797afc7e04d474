package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.access.Caller;
import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Grants;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over a real port: the session cookie authenticates, a bearer key wins over it, a cookie-signed request that changes
 * something needs the CSRF header (refused before its handler runs), and every response carries the security headers.
 */
class SessionCookieTest {
  private static final String SESSION = "s".repeat(43);

  /** What the gate was shown; it accepts bearer {@code good} or session {@link #SESSION}. */
  private final List<Caller> seen = new CopyOnWriteArrayList<>();

  private final Gate gate =
      (caller, permission, model) -> {
        seen.add(caller);
        if ("good".equals(caller.token()) || caller.token() == null && SESSION.equals(caller.session())) {
          return Grants.all("k1");
        }
        throw KilnException.unauthenticated("a valid API key is required");
      };

  private final AtomicInteger changes = new AtomicInteger();
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        new HttpServer(HttpSettings.defaults("127.0.0.1", 0).withMaxRequestBytes(4096), List.of(thingRoutes()), gate);
    server.start();
  }

  private RestService thingRoutes() {
    return r -> {
      r.add(HttpMethod.GET, "/api/v1/thing", Access.AUTHENTICATED, q -> ok("{\"n\":" + changes.get() + "}"));
      r.add(
          HttpMethod.POST,
          "/api/v1/thing",
          Access.AUTHENTICATED,
          q -> {
            changes.incrementAndGet();
            return ok("{}");
          });
      r.add(
          HttpMethod.GET,
          "/api/v1/events",
          Access.AUTHENTICATED,
          q ->
              CompletableFuture.completedFuture(
                  RestResponse.events(out -> {
                    out.write("data: one\n\n");
                    out.end();
                  })));
    };
  }

  @AfterEach
  void stop() {
    server.close(Duration.ofSeconds(1));
  }

  private static CompletableFuture<RestResponse> ok(String json) {
    return CompletableFuture.completedFuture(RestResponse.json(HttpResponseStatus.OK, json.getBytes()));
  }

  private HttpResponse<String> send(String method, String path, Map<String, String> headers, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> cookie(String... more) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Cookie", "theme=dark; " + SessionCookie.NAME + "=" + SESSION);
    for (int i = 0; i < more.length; i += 2) {
      h.put(more[i], more[i + 1]);
    }
    return h;
  }

  @Test
  void theCookieAloneAuthenticatesAReadAndABearerKeyWinsOverIt() throws Exception {
    assertThat(send("GET", "/api/v1/thing", cookie(), null).statusCode()).isEqualTo(200);
    assertThat(seen.getLast().session()).isEqualTo(SESSION);
    assertThat(seen.getLast().token()).isNull();

    HttpResponse<String> bad = send("GET", "/api/v1/thing", cookie("Authorization", "Bearer wrong"), null);
    assertThat(bad.statusCode()).isEqualTo(401); // the bearer header is used, the valid cookie is not read
    assertThat(seen.getLast().session()).isNull();
    assertThat(send("GET", "/api/v1/thing", Map.of("Cookie", "kiln_session=other"), null).statusCode()).isEqualTo(401);
  }

  @Test
  void aCookieSignedChangeNeedsTheCsrfTokenAndIsRefusedBeforeItsHandler() throws Exception {
    HttpResponse<String> none = send("POST", "/api/v1/thing", cookie(), "{}");
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.body()).contains("X-CSRF-Token").contains("csrf_token");
    HttpResponse<String> wrong =
        send("POST", "/api/v1/thing", cookie(SessionCookie.CSRF_HEADER, SessionCookie.csrfToken("t".repeat(43))), "{}");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(changes.get()).isZero();
    assertThat(seen).isEmpty(); // refused before the gate: a forged request costs the key nothing

    String csrf = SessionCookie.csrfToken(SESSION);
    assertThat(send("POST", "/api/v1/thing", cookie(SessionCookie.CSRF_HEADER, csrf), "{}").statusCode())
        .isEqualTo(200);
    assertThat(send("POST", "/api/v1/thing", cookie("Authorization", "Bearer good"), "{}").statusCode())
        .isEqualTo(200); // a bearer key needs no CSRF token: no browser sends it on its own
    assertThat(changes.get()).isEqualTo(2);
  }

  @Test
  void aChangeAnotherSitesPageAsksForIsRefusedWithOrWithoutAuth() throws Exception {
    HttpResponse<String> forged = send("POST", "/api/v1/thing", cookie("Sec-Fetch-Site", "cross-site"), "{}");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("another site");
    assertThat(
            send("POST", "/api/v1/thing", Map.of("Authorization", "Bearer good", "Sec-Fetch-Site", "cross-site"), "{}")
                .statusCode())
        .as("a key does not make another site's request ours")
        .isEqualTo(403);
    assertThat(changes).hasValue(0);
    assertThat(send("GET", "/api/v1/thing", cookie("Sec-Fetch-Site", "cross-site"), null).statusCode())
        .as("reading is not changing: a link from another site still opens")
        .isEqualTo(200);
    String csrf = SessionCookie.csrfToken(SESSION);
    assertThat(
            send(
                    "POST",
                    "/api/v1/thing",
                    cookie(SessionCookie.CSRF_HEADER, csrf, "Sec-Fetch-Site", "same-origin"),
                    "{}")
                .statusCode())
        .isEqualTo(200);

    server.close(Duration.ofSeconds(1));
    server = new HttpServer(HttpSettings.defaults("127.0.0.1", 0), List.of(thingRoutes()), Gate.OPEN).start();
    assertThat(send("POST", "/api/v1/thing", Map.of("Sec-Fetch-Site", "cross-site"), "{}").statusCode())
        .as("auth off: nothing else stops another site's form")
        .isEqualTo(403);
    assertThat(send("POST", "/api/v1/thing", Map.of(), "{}").statusCode()).as("a program's call").isEqualTo(200);
    assertThat(changes).hasValue(2);
  }

  @Test
  void everyResponseCarriesTheSecurityHeaders() throws Exception {
    Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
    answers.put("json", send("GET", "/api/v1/thing", Map.of("Authorization", "Bearer good"), null));
    answers.put("401", send("GET", "/api/v1/thing", Map.of(), null));
    answers.put("404", send("GET", "/nowhere", Map.of("Authorization", "Bearer good"), null));
    answers.put("405", send("DELETE", "/api/v1/thing", Map.of("Authorization", "Bearer good"), null));
    answers.put("stream", send("GET", "/api/v1/events", Map.of("Authorization", "Bearer good"), null));
    answers.put("413", send("POST", "/api/v1/thing", Map.of("Authorization", "Bearer good"), "x".repeat(10_000)));
    assertThat(answers.get("stream").body()).contains("data: one");
    assertThat(answers.get("413").statusCode()).isEqualTo(413);
    answers.forEach((what, r) -> {
      assertThat(r.headers().firstValue("content-security-policy"))
          .as(what)
          .hasValue(SecurityHeaders.CONTENT_SECURITY_POLICY);
      assertThat(r.headers().firstValue("x-content-type-options")).as(what).hasValue("nosniff");
      assertThat(r.headers().firstValue("referrer-policy")).as(what).hasValue("no-referrer");
    });
    assertThat(SecurityHeaders.CONTENT_SECURITY_POLICY)
        .doesNotContain("unsafe-inline")
        .contains("frame-ancestors 'none'");
  }

  @Test
  void cookieAttributesAreStrictAndSecureOnlyWhenAskedFor() {
    assertThat(SessionCookie.set("abc", Duration.ofHours(12), false))
        .isEqualTo("kiln_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200");
    assertThat(SessionCookie.set("abc", Duration.ofHours(12), true)).endsWith("; Secure");
    assertThat(SessionCookie.clear(false)).isEqualTo("kiln_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  }
}
