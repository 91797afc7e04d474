package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's own measurement, as a test: replica A in this JVM, replica B a second process ({@link
 * RateLimitCrashTest#main}) on the same database and data folder. A key revoked through A is refused by B within 1 s; a
 * version pushed through A is served by B within 2 s. SQLite file here; {@link GovernanceOnPostgresqlTest} runs it on
 * PostgreSQL.
 */
class ReplicaProcessesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;
  private Process child;
  private Kiln a;

  /** The governance database: SQLite in {@code data} here; {@link GovernanceOnPostgresqlTest} swaps in PostgreSQL. */
  GovernanceConfig database(GovernanceConfig g) {
    return g;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void aKeyRevokedThroughAIsRefusedByProcessBWithinOneSecondAndAPushIsServedWithinTwo() throws Exception {
    Path masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    GovernanceConfig g = database(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey));
    a = Kiln.start(KilnConfig.defaults(repo, 0, 0).withGovernance(g));
    String admin = a.bootstrapToken().orElseThrow();
    JsonNode key =
        JSON.readTree(
            send(a.httpPort(), "POST", "/api/v1/keys", admin, "{\"name\":\"ops\",\"scopes\":[\"admin\"]}").body());
    String token = key.get("token").asText();
    int b = startB(g, masterKey);
    assertThat(send(b, "GET", "/api/v1/models", token, null).statusCode()).isEqualTo(200);

    assertThat(send(a.httpPort(), "POST", "/api/v1/keys/" + key.get("id").asText() + "/revoke", admin, "").statusCode())
        .isEqualTo(200);
    long revoked = millisUntil(401, 1_000, () -> send(b, "GET", "/api/v1/models", token, null));

    HttpResponse<String> pushed =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.httpPort() + "/api/v1/models/add_sub/versions"))
                .header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofByteArray(ExampleModels.addSub()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    long served =
        millisUntil(
            200, 2_000, () -> send(b, "POST", "/v2/models/add_sub/infer", admin, GovernanceServerFixture.ADD_SUB));
    System.out.println("process B: key refused after " + revoked + " ms, push served after " + served + " ms");
  }

  private interface Call {
    HttpResponse<String> call() throws Exception;
  }

  private static long millisUntil(int status, long limitMillis, Call call) throws Exception {
    long start = System.nanoTime();
    while (true) {
      HttpResponse<String> r = call.call();
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      if (r.statusCode() == status) {
        return elapsed;
      }
      assertThat(elapsed).as("B still answers " + r.statusCode() + ": " + r.body()).isLessThan(limitMillis);
      Thread.sleep(10);
    }
  }

  private HttpResponse<String> send(int port, String method, String path, String key, String body) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .header("Authorization", "Bearer " + key)
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** Starts replica B as a second JVM on {@code g}'s database and this test's data; returns its HTTP port. */
  private int startB(GovernanceConfig g, Path masterKey) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                RateLimitCrashTest.class.getName(),
                repo.toString(),
                data.toString(),
                masterKey.toString()));
    g.database().ifPresent(d -> command.add(d.url()));
    Path log = data.resolve("b.log");
    child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until && child.isAlive()) {
      for (String line : Files.readString(log).lines().toList()) {
        if (line.startsWith("port ")) {
          return Integer.parseInt(line.substring(5).trim());
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("replica B did not start:\n" + Files.readString(log));
  }
}
