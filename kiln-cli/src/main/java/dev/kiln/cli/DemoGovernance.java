package dev.kiln.cli;

import static dev.kiln.cli.DemoChecks.step;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The governance part of {@code kiln demo}: registry, aliases, keys with scopes and limits, and the audit log. */
final class DemoGovernance {
  private final HttpClient http;
  private final DemoChecks checks;

  DemoGovernance(HttpClient http, DemoChecks checks) {
    this.http = http;
    this.checks = checks;
  }

  /**
   * A second server with the registry and auth on: the admin pushes a model, aliases it, makes a client key with a
   * scope and a rate limit; the client calls it by alias, and is refused without a key, on another model, and over its
   * limit; the audit log shows who did what.
   */
  void tour(Path root) throws Exception {
    Path data = root.resolveSibling(root.getFileName() + "-governance");
    Path masterKey = data.resolve("master.key");
    Files.createDirectories(data);
    MasterKeys.generate(masterKey);
    try (Kiln kiln =
        Kiln.start(
            KilnConfig.defaults(Files.createDirectories(data.resolve("models")), 0, 0)
                .withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey)))) {
      String base = "http://127.0.0.1:" + kiln.httpPort();
      KilnClient admin = new KilnClient(base, kiln.bootstrapToken().orElseThrow());
      step("governed server", base + ": registry in SQLite, artifacts encrypted, API keys required");
      JsonNode v = admin.post("/api/v1/models/add_sub/versions", ExampleModels.addSub(), "application/octet-stream");
      step(
          "push",
          "add_sub version "
              + v.path("version").asLong()
              + ", sha256 "
              + v.path("sha256").asText().substring(0, 12)
              + ", encrypted at rest");
      admin.put("/api/v1/models/add_sub/aliases/production", "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
      JsonNode key =
          admin.post(
              "/api/v1/keys",
              ("{\"name\":\"demo-client\",\"scopes\":[\"invoke:add_sub\"]," + "\"limits\":{\"requests_per_minute\":3}}")
                  .getBytes(StandardCharsets.UTF_8),
              "application/json");
      String token = key.path("token").asText();
      step("key", "demo-client " + key.path("id").asText() + ": invoke:add_sub, 3 requests per minute");
      String body =
          "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]},"
              + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,1,1,1]}]}";
      HttpResponse<String> ok = send(base + "/v2/models/add_sub@production/infer", token, body);
      checks.check("call by alias with the key", ok.statusCode() == 200, "add_sub@production -> " + ok.statusCode());
      checks.check(
          "call without a key", send(base + "/v2/models/add_sub/infer", null, body).statusCode() == 401, "401");
      send(base + "/v2/models/add_sub/infer", token, body);
      send(base + "/v2/models/add_sub/infer", token, body);
      HttpResponse<String> over = send(base + "/v2/models/add_sub/infer", token, body);
      checks.check(
          "4th call in a minute",
          over.statusCode() == 429,
          "429, Retry-After " + over.headers().firstValue("retry-after").orElse("?") + " s");
      JsonNode audit = admin.get("/api/v1/audit?limit=10");
      checks.check(
          "audit log",
          audit.size() >= 3,
          audit.size()
              + " entries, newest: "
              + audit.path(0).path("action").asText()
              + " "
              + audit.path(0).path("target").asText());
    }
  }

  private HttpResponse<String> send(String url, String token, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
