package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.SessionCookie;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The web console's sign-in through a real server: the cookie and its attributes, CSRF on cookie-signed changes,
 * sessions that survive a restart and work on a second replica, and end on sign-out, revocation, rotation and expiry.
 * {@link GovernanceOnPostgresqlTest} runs it again on PostgreSQL.
 */
class SessionServerTest extends GovernanceServerFixture {
  private static final Pattern COOKIE = Pattern.compile("kiln_session=([A-Za-z0-9_-]{43});");
  private Kiln second;

  /** A signed-in browser: its cookie and CSRF token. */
  record Browser(String cookie, String csrf, String setCookie) {}

  @AfterEach
  void stopSecond() {
    if (second != null) {
      second.close();
    }
  }

  private HttpResponse<String> send(Kiln on, String method, String path, Browser b, boolean csrf, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.httpPort() + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (b != null) {
      r.header("Cookie", SessionCookie.NAME + "=" + b.cookie());
      if (csrf) {
        r.header(SessionCookie.CSRF_HEADER, b.csrf());
      }
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> signInResponse(String key) throws Exception {
    return send(kiln, "POST", "/api/v1/session", null, false, "{\"key\":\"" + key + "\"}");
  }

  private Browser signIn(String key) throws Exception {
    HttpResponse<String> r = signInResponse(key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String set = r.headers().firstValue("set-cookie").orElseThrow();
    Matcher m = COOKIE.matcher(set);
    assertThat(m.find()).as(set).isTrue();
    String csrf = JSON.readTree(r.body()).get("csrf_token").asText();
    assertThat(csrf).isEqualTo(SessionCookie.csrfToken(m.group(1)));
    return new Browser(m.group(1), csrf, set);
  }

  private String id(String token) {
    return token.substring(5, 17);
  }

  @Test
  void signingInSetsAStrictHttpOnlyCookieThatAloneAuthenticatesReads() throws Exception {
    start(true);
    Browser b = signIn(admin);
    assertThat(b.setCookie())
        .contains("; Path=/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200")
        .doesNotContain("Secure");
    HttpResponse<String> me = send(kiln, "GET", "/api/v1/session", b, false, null);
    assertThat(me.statusCode()).isEqualTo(200);
    JsonNode who = JSON.readTree(me.body());
    assertThat(who.get("auth").asBoolean()).isTrue();
    assertThat(who.get("admin").asBoolean()).isTrue();
    assertThat(who.get("key_id").asText()).isEqualTo(id(admin));
    assertThat(who.get("csrf_token").asText()).isEqualTo(b.csrf());
    assertThat(Instant.parse(who.get("expires").asText())).isAfter(Instant.now().plus(Duration.ofHours(11)));
    assertThat(send(kiln, "GET", "/api/v1/keys", b, false, null).statusCode()).isEqualTo(200);
    for (String path : new String[] {"/api/v1/keys", "/v2/health/ready", "/nowhere"}) {
      HttpResponse<String> r = send(kiln, "GET", path, b, false, null);
      assertThat(r.headers().firstValue("content-security-policy")).as(path).get().asString().contains("'self'");
    }
    assertThat(send(kiln, "GET", "/nowhere", b, false, null).statusCode()).isEqualTo(404); // not 401: signed in
  }

  @Test
  void aBadKeyIsRefusedAndAudited() throws Exception {
    start(true);
    String forged = "kiln_" + id(admin) + "_" + "A".repeat(43);
    HttpResponse<String> r = signInResponse(forged);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("unknown API key");
    assertThat(r.headers().firstValue("set-cookie")).isEmpty();
    HttpResponse<String> form =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/api/v1/session"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + admin + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(form.statusCode()).isEqualTo(400); // an HTML form on another site cannot sign a browser in
    JsonNode audit = JSON.readTree(call("GET", "/api/v1/audit?action=session.start", admin, null).body());
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).get("outcome").asText()).isEqualTo("denied");
    assertThat(audit.get(0).get("target").asText()).isEqualTo("key:" + id(admin));
    assertThat(audit.get(0).get("source").asText()).contains("127.0.0.1");
  }

  @Test
  void aCookieSignedChangeWithoutTheRightCsrfTokenIsRefusedAndChangesNothing() throws Exception {
    start(true);
    Browser b = signIn(admin);
    String create = "{\"name\":\"made-by-console\",\"scopes\":[\"invoke:*\"]}";
    HttpResponse<String> none = send(kiln, "POST", "/api/v1/keys", b, false, create);
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(none.body()).get("error").asText()).contains("X-CSRF-Token");
    Browser wrong = new Browser(b.cookie(), SessionCookie.csrfToken("x".repeat(43)), b.setCookie());
    assertThat(send(kiln, "POST", "/api/v1/keys", wrong, true, create).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/api/v1/keys", admin, null).body()).doesNotContain("made-by-console");

    assertThat(send(kiln, "POST", "/api/v1/keys", b, true, create).statusCode()).isEqualTo(201);
    assertThat(call("POST", "/api/v1/keys", admin, create.replace("made-by-console", "by-bearer")).statusCode())
        .isEqualTo(201); // a bearer request needs no CSRF token
    assertThat(call("GET", "/api/v1/keys", admin, null).body()).contains("made-by-console", "by-bearer");
  }

  @Test
  void aSessionSurvivesARestartAndWorksOnASecondReplica() throws Exception {
    start(true);
    Browser b = signIn(admin);
    kiln.close();
    kiln = null;
    start(true);
    assertThat(send(kiln, "GET", "/api/v1/keys", b, false, null).statusCode()).isEqualTo(200);
    second =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withGovernance(database(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey))),
            clock);
    assertThat(send(second, "GET", "/api/v1/keys", b, false, null).statusCode()).isEqualTo(200);
    HttpResponse<String> out = send(second, "DELETE", "/api/v1/session", b, true, null);
    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(out.headers().firstValue("set-cookie").orElseThrow()).startsWith("kiln_session=;").contains("Max-Age=0");
    assertThat(send(second, "GET", "/api/v1/keys", b, false, null).statusCode()).isEqualTo(401);
    long start = System.nanoTime(); // the first replica learns it through the change feed
    while (send(kiln, "GET", "/api/v1/keys", b, false, null).statusCode() != 401) {
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      Thread.sleep(20);
    }
  }

  @Test
  void revokingOrRotatingTheKeyEndsItsSessions() throws Exception {
    start(true);
    String ops = key("ops", "admin");
    Browser b = signIn(ops);
    assertThat(send(kiln, "GET", "/api/v1/keys", b, false, null).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/api/v1/keys/" + id(ops) + "/rotate", admin, "").statusCode()).isEqualTo(200);
    HttpResponse<String> rotated = send(kiln, "GET", "/api/v1/keys", b, false, null);
    assertThat(rotated.statusCode()).isEqualTo(401);
    assertThat(rotated.body()).contains("rotated");

    String reader = key("reader", "manage:*");
    Browser r = signIn(reader);
    assertThat(send(kiln, "GET", "/api/v1/models", r, false, null).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/api/v1/keys/" + id(reader) + "/revoke", admin, "").statusCode()).isEqualTo(200);
    HttpResponse<String> revoked = send(kiln, "GET", "/api/v1/models", r, false, null);
    assertThat(revoked.statusCode()).isEqualTo(401);
    assertThat(revoked.body()).contains("revoked");
  }

  @Test
  void anExpiredSessionIsRefused() throws Exception {
    SteppedClock stepped = new SteppedClock(Instant.now());
    clock = stepped;
    start(true);
    Browser b = signIn(admin);
    stepped.advance(Duration.ofHours(12).plusSeconds(1));
    HttpResponse<String> r = send(kiln, "GET", "/api/v1/keys", b, false, null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("the session expired at");
  }

  @Test
  void theSessionTokenIsNotStoredInTheDatabase() throws Exception {
    start(true);
    Browser b = signIn(admin);
    send(kiln, "DELETE", "/api/v1/session", b, true, null);
    signIn(admin);
    List<String> cells = new ArrayList<>();
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String table : new String[] {"sessions", "audit_log", "api_keys", "changes"}) {
        try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
          while (rs.next()) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              cells.add(String.valueOf(rs.getString(i)));
            }
          }
        }
      }
    }
    assertThat(cells).isNotEmpty().noneMatch(v -> v.contains(b.cookie()) || v.contains(b.csrf()));
  }

  private Connection connect() throws Exception {
    if (schema == null) {
      return DriverManager.getConnection("jdbc:sqlite:" + data.resolve("governance.db"));
    }
    Properties p = new Properties();
    if (schema.user != null) {
      p.setProperty("user", schema.user);
    }
    if (schema.password != null) {
      p.setProperty("password", schema.password);
    }
    return DriverManager.getConnection(schema.url(), p);
  }

  @Test
  void aScopedKeysSessionSeesOnlyWhatTheKeySees() throws Exception {
    start(true);
    push("alpha");
    push("beta");
    Browser b = signIn(key("alpha-only", "manage:alpha"));
    JsonNode models = JSON.readTree(send(kiln, "GET", "/api/v1/models", b, false, null).body());
    assertThat(models).hasSize(1);
    assertThat(models.get(0).get("name").asText()).isEqualTo("alpha");
    assertThat(send(kiln, "GET", "/api/v1/models/beta", b, false, null).statusCode()).isEqualTo(403);
    JsonNode me = JSON.readTree(send(kiln, "GET", "/api/v1/session", b, false, null).body());
    assertThat(me.get("admin").asBoolean()).isFalse();
    assertThat(me.get("scopes").get(0).asText()).isEqualTo("manage:alpha");
  }

  @Test
  void withAuthOffAnyoneLearnsThatNoSignInIsNeeded() throws Exception {
    start(false);
    HttpResponse<String> r = send(kiln, "GET", "/api/v1/session", null, false, null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode n = JSON.readTree(r.body());
    assertThat(n.get("auth").asBoolean()).isFalse();
    assertThat(n.get("admin").asBoolean()).isTrue();
    assertThat(r.headers().firstValue("content-security-policy")).isPresent();
  }
}
