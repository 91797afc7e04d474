package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gate's refusals over real HTTP, in both error styles: each is the gate's {@link KilnException} rendered by the
 * one table, with its Retry-After or Bearer challenge.
 */
class RefusalOnTheWireTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Token "limited" is over its limit for 42.3 s, "nope" lacks the scope, "good" may call; no token is unknown. */
  private static final Gate GATE =
      (caller, permission, model) ->
          switch (String.valueOf(caller.token())) {
            case "good" -> Grants.all("k1");
            case "limited" ->
                throw KilnException.rateLimited(
                    "rate limit of 3 requests per minute reached for key k2", Duration.ofMillis(42_300));
            case "nope" -> throw KilnException.denied("key k3 may not invoke model 'm'");
            default -> throw KilnException.unauthenticated("an API key is required");
          };

  private HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    RestService routes =
        r ->
            r.add(HttpMethod.POST, "/v2/models/([^/]+)/infer", Access.invoke(0), q -> ok())
                .add(HttpMethod.GET, "/v1/models/([^/]+)", Access.invoke(0), ErrorStyle.OPENAI, q -> ok());
    server = new HttpServer(HttpSettings.defaults("127.0.0.1", 0), List.of(routes), GATE).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static CompletableFuture<RestResponse> ok() {
    return CompletableFuture.completedFuture(RestResponse.json(HttpResponseStatus.OK, "{}".getBytes()));
  }

  private HttpResponse<String> call(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(
                method,
                method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRateLimitIs429WithRetryAfterInKilnStyle() throws Exception {
    HttpResponse<String> r = call("POST", "/v2/models/m/infer", "limited");
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).hasValue("43");
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("3 requests per minute");
  }

  @Test
  void aRateLimitIs429WithRetryAfterInOpenAiStyle() throws Exception {
    HttpResponse<String> r = call("GET", "/v1/models/m", "limited");
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).hasValue("43");
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("rate_limit_error");
    assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.get("message").asText()).contains("3 requests per minute");
  }

  @Test
  void otherRefusalsHaveTheirStatusAndNoRetryAfter() throws Exception {
    HttpResponse<String> denied = call("GET", "/v1/models/m", "nope");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.headers().firstValue("retry-after")).isEmpty();
    assertThat(JSON.readTree(denied.body()).at("/error/type").asText()).isEqualTo("permission_error");

    HttpResponse<String> anonymous = call("POST", "/v2/models/m/infer", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"kiln\"");
    assertThat(JSON.readTree(anonymous.body()).get("error").asText()).isEqualTo("an API key is required");

    assertThat(call("POST", "/v2/models/m/infer", "good").statusCode()).isEqualTo(200);
  }

  @Test
  void aGateThatFailsIsA500ThatRevealsNothing() throws Exception {
    Gate broken =
        (caller, permission, model) -> {
          throw new IllegalStateException("jdbc:postgresql://db/secrets unreachable");
        };
    RestService routes = r -> r.add(HttpMethod.POST, "/v2/models/([^/]+)/infer", Access.invoke(0), q -> ok());
    try (HttpServer s = new HttpServer(HttpSettings.defaults("127.0.0.1", 0), List.of(routes), broken).start()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v2/models/m/infer"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("{\"error\":\"internal error\"}");
    }
  }
}
