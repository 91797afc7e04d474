package dev.kiln.govern.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.http.HttpServer;
import dev.kiln.http.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Integer query parameters a caller gets wrong are a 400 naming the parameter, never a 500. */
class AuditLimitQueryTest {
  @Test
  void auditLimitThatIsNoIntegerInRangeIs400() throws Exception {
    // The audit log is never reached: the limit is refused first (so the stores can be absent here).
    KeysRestService keys = new KeysRestService(null, null, () -> {}, null);
    try (HttpServer server = new HttpServer(HttpSettings.defaults("127.0.0.1", 0), List.of(keys)).start()) {
      HttpClient client = HttpClient.newHttpClient();
      for (String limit :
          new String[] {"99999999999999999999", "-99999999999999999999", "abc", "1e3", "0", "10001", "%20"}) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/audit?limit=" + limit))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(limit + ": " + r.body()).isEqualTo(400);
        assertThat(r.body()).contains("query parameter 'limit' must be an integer from 1 to 10000");
      }
    }
  }
}
