package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenApiServiceTest {
  @TempDir Path dir;

  /** A service whose routes are documented by {@code json}. */
  private RestService part(String file, String json) throws Exception {
    URL url = Files.writeString(dir.resolve(file), json).toUri().toURL();
    return new RestService() {
      @Override
      public void addRoutes(Router router) {}

      @Override
      public Optional<URL> openApi() {
        return Optional.of(url);
      }
    };
  }

  private static JsonNode document(OpenApiService service) throws Exception {
    Router router = new Router();
    service.addRoutes(router);
    Router.Route route = router.match(HttpMethod.GET, OpenApiService.PATH).orElseThrow().route();
    assertThat(route.access()).isEqualTo(Access.AUTHENTICATED);
    RestResponse r = route.handler().handle(null).get();
    return ApiJson.MAPPER.readTree(r.body().toString(StandardCharsets.UTF_8));
  }

  private static List<String> names(JsonNode object) {
    return object.properties().stream().map(Map.Entry::getKey).toList();
  }

  @Test
  void eachServicesPathsAndComponentsAreMergedOverTheBase() throws Exception {
    RestService a = part("a.json", "{\"paths\":{\"/api/v1/a\":{\"get\":{}}},\"components\":{\"schemas\":{\"A\":{}}}}");
    RestService b =
        part("b.json", "{\"paths\":{\"/api/v1/b\":{\"post\":{}}},\"components\":{\"parameters\":{\"B\":{}}}}");
    RestService undocumented = router -> {};

    JsonNode doc = document(new OpenApiService(List.of(a, undocumented, b)));

    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(names(doc.get("paths"))).containsExactly("/api/v1/openapi.json", "/api/v1/a", "/api/v1/b");
    assertThat(names(doc.at("/components/schemas"))).contains("Error", "A");
    assertThat(doc.at("/components/parameters/B").isObject()).isTrue();
  }

  @Test
  void aPathDocumentedTwiceIsRefusedAtStartup() throws Exception {
    RestService a = part("a.json", "{\"paths\":{\"/api/v1/a\":{\"get\":{}}}}");
    RestService again = part("again.json", "{\"paths\":{\"/api/v1/a\":{\"post\":{}}}}");

    assertThatThrownBy(() -> new OpenApiService(List.of(a, again)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/api/v1/a documented twice")
        .hasMessageContaining("again.json");
  }
}
