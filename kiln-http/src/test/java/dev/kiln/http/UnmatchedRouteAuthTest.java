package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Grants;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** With auth on, a request no route matches is authenticated first: 401 before 404 or 405. */
class UnmatchedRouteAuthTest {
  private static final Gate ONE_KEY =
      (caller, permission, model) -> {
        if (!"good".equals(caller.token())) {
          throw KilnException.unauthenticated("a valid API key is required");
        }
        return Grants.all("k1");
      };

  @Test
  void unauthenticatedCallersLearnNothingAboutRoutes() throws Exception {
    RestService infer =
        r ->
            r.add(
                HttpMethod.POST,
                "/v2/models/([^/]+)/infer",
                Access.invoke(0),
                q -> CompletableFuture.completedFuture(RestResponse.json(HttpResponseStatus.OK, "{}".getBytes())));
    try (HttpServer server = new HttpServer(HttpSettings.defaults("127.0.0.1", 0), List.of(infer), ONE_KEY).start()) {
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      for (String path : new String[] {"/v2/models/mlp/infer", "/v2/no/such/route"}) {
        HttpResponse<String> anonymous =
            client.send(
                HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"kiln\"");
      }
      HttpResponse<String> get =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/v2/models/mlp/infer"))
                  .header("Authorization", "Bearer good")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(405);
      HttpResponse<String> none =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/v2/no/such/route"))
                  .header("Authorization", "Bearer good")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).isEqualTo(404);
    }
  }
}
