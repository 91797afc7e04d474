package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile model files (bad-inputs.md T9) pushed over real HTTP to a real server with auth on, by a key that may manage
 * only {@code evil*}: each is refused with 400 and a reason Kiln wrote, nothing is kept, the other models serve
 * throughout without an error, and the server starts again on the same data. A version that got into the registry
 * without being checked fails alone at start, with its reason in the repository index.
 */
class HostileModelFilesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What no error body may hold: checksums (cache file names), paths, library source locations, Java names. */
  static final List<String> LEAKS =
      List.of(
          "[0-9a-f]{64}",
          "\\.gguf",
          "/tmp",
          "/etc",
          "\\.cc:\\d",
          "\\.java",
          "Exception",
          "dev\\.kiln",
          "onnxruntime",
          "ORT_");

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;
  @TempDir Path scratch;
  Path masterKey;
  Kiln kiln;
  String admin;

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  GovernanceConfig governance() throws Exception {
    if (masterKey == null) {
      masterKey = data.resolve("master.key");
      MasterKeys.generate(masterKey);
    }
    return GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey);
  }

  void start() throws Exception {
    kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withGovernance(governance()));
    if (kiln.bootstrapToken().isPresent()) {
      admin = kiln.bootstrapToken().get();
    }
  }

  HttpResponse<String> call(String method, String path, String key, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
            .method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> call(String method, String path, String key, String body) throws Exception {
    return call(method, path, key, body == null ? null : body.getBytes());
  }

  HttpResponse<String> push(String model, String key, byte[] file) throws Exception {
    return call("POST", "/api/v1/models/" + model + "/versions", key, file);
  }

  String evilKey() throws Exception {
    HttpResponse<String> r = call("POST", "/api/v1/keys", admin, "{\"name\":\"evil\",\"scopes\":[\"manage:evil*\"]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("token").asText();
  }

  byte[] tinyLlama() throws Exception {
    Path f = scratch.resolve("tiny.gguf");
    TinyLlama.write(f, 3);
    return Files.readAllBytes(f);
  }

  static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}";
  }

  long artifacts() throws Exception {
    try (Stream<Path> files = Files.walk(data.resolve("artifacts"))) {
      return files.filter(p -> Files.isRegularFile(p) && p.toString().contains("/objects/")).count();
    }
  }

  static void assertRefused(String what, HttpResponse<String> r, String reason) throws Exception {
    assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(400);
    String error = JSON.readTree(r.body()).get("error").asText();
    assertThat(error).as(what).contains(reason);
    for (String leak : LEAKS) {
      assertThat(error).as(what + " leaks " + leak).doesNotContainPattern(leak);
    }
  }

  @Test
  void everyHostileFileIsRefusedWithItsReasonNothingIsKeptAndTheOtherModelsServeThroughout() throws Exception {
    start();
    assertThat(push("add_sub", admin, ExampleModels.addSub()).statusCode()).isEqualTo(201);
    String evil = evilKey();
    assertThat(push("evil-onnx", evil, ExampleModels.addSub()).statusCode()).isEqualTo(201);
    HttpResponse<String> llm = push("evil-chat", evil, tinyLlama());
    assertThat(llm.statusCode()).as(llm.body()).isEqualTo(201);
    long kept = artifacts();

    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger served = new AtomicInteger();
    List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread traffic =
        Thread.ofVirtual()
            .start(() -> {
              while (!done.get()) {
                try {
                  HttpResponse<String> r =
                      call("POST", "/v2/models/add_sub/infer", admin, GovernanceServerTest.ADD_SUB);
                  if (r.statusCode() == 200) {
                    served.incrementAndGet();
                  } else {
                    errors.add(r.statusCode() + " " + r.body());
                  }
                } catch (Exception e) {
                  errors.add(e.toString());
                }
              }
            });
    Map<String, HostileModels.Hostile> hostile = new HostileModels(scratch).all();
    for (Map.Entry<String, HostileModels.Hostile> e : hostile.entrySet()) {
      String name = "evil-" + e.getKey();
      assertRefused(name, push(name, evil, e.getValue().bytes()), e.getValue().reason());
      assertThat(call("GET", "/api/v1/models/" + name, evil, (String) null).statusCode()).as(name).isEqualTo(404);
      // Onto models that already serve: refused and undone all the same, and they keep serving.
      assertRefused(
          e.getKey() + " onto evil-onnx", push("evil-onnx", evil, e.getValue().bytes()), e.getValue().reason());
      assertRefused(
          e.getKey() + " onto evil-chat", push("evil-chat", evil, e.getValue().bytes()), e.getValue().reason());
    }
    done.set(true);
    traffic.join();
    assertThat(new HostileModels(scratch).marker()).doesNotExist();
    assertThat(errors).isEmpty();
    assertThat(served.get()).isPositive();

    assertThat(artifacts()).isEqualTo(kept);
    for (String model : List.of("evil-onnx", "evil-chat")) {
      JsonNode versions =
          JSON.readTree(call("GET", "/api/v1/models/" + model, evil, (String) null).body()).get("versions");
      assertThat(versions).as(model).hasSize(1);
    }
    assertThat(call("POST", "/v2/models/evil-onnx/infer", admin, GovernanceServerTest.ADD_SUB).statusCode())
        .isEqualTo(200);
    assertThat(call("POST", "/v1/chat/completions", admin, chat("evil-chat")).statusCode()).isEqualTo(200);
    // evil-chat is listed too, since language models are in the index (issue 11): served, no failure.
    assertThat(kiln.core().index(false))
        .allMatch(row ->
            !row.name().startsWith("evil-")
                || (row.name().equals("evil-onnx") || row.name().equals("evil-chat")) && row.reason().isEmpty());

    JsonNode audit =
        JSON.readTree(call("GET", "/api/v1/audit?action=model.push&limit=1000", admin, (String) null).body());
    List<String> outcomes = new ArrayList<>();
    audit.forEach(a -> outcomes.add(a.get("target").asText() + " " + a.get("outcome").asText()));
    assertThat(outcomes).filteredOn(o -> o.endsWith(" ok")).hasSize(3); // add_sub, evil-onnx, evil-chat
    assertThat(outcomes).filteredOn(o -> o.endsWith(" failed")).hasSize(3 * (hostile.size() - 1)); // body-less

    // The names are free again, and the server starts on the same data and serves what it kept.
    assertThat(push("evil-gguf-alignment-string", evil, ExampleModels.addSub()).statusCode()).isEqualTo(201);
    kiln.close();
    start();
    assertThat(call("POST", "/v2/models/add_sub/infer", admin, GovernanceServerTest.ADD_SUB).statusCode())
        .isEqualTo(200);
    assertThat(
            call("POST", "/v2/models/evil-gguf-alignment-string/infer", admin, GovernanceServerTest.ADD_SUB)
                .statusCode())
        .isEqualTo(200);
    assertThat(call("POST", "/v1/chat/completions", admin, chat("evil-chat")).statusCode()).isEqualTo(200);
  }

  @Test
  void aVersionThatFailsToLoadAtStartIsReportedWithItsReasonAndTheServerServesTheRest() throws Exception {
    start();
    assertThat(push("add_sub", admin, ExampleModels.addSub()).statusCode()).isEqualTo(201);
    kiln.close();
    kiln = null;
    // Versions that got in unchecked (pushed by an older Kiln, or the server died between publish and load).
    Map<String, HostileModels.Hostile> hostile = new HostileModels(scratch).all();
    try (Governance g = Governance.open(governance(), new SimpleMeterRegistry(), java.time.Clock.systemUTC())) {
      for (String name : List.of("gguf-alignment-string", "gguf-dims-overflow", "csv")) {
        g.registry.push(
            "evil-" + name, new ByteArrayInputStream(hostile.get(name).bytes()), "uploaded", "{}", "test", "");
      }
      g.registry.push(
          "add_sub", new ByteArrayInputStream(hostile.get("onnx-truncated").bytes()), "uploaded", "{}", "test", "");
      g.registry.push("chat", new ByteArrayInputStream(tinyLlama()), "uploaded", "{}", "test", "");
      g.registry.push(
          "chat", new ByteArrayInputStream(hostile.get("gguf-offset-wraps").bytes()), "uploaded", "{}", "test", "");
    }
    // And a hostile language model in the model folder.
    Files.write(
        Files.createDirectories(repo.resolve("evil-folder/3")).resolve("model.gguf"),
        hostile.get("gguf-alignment-string").bytes());

    start();
    assertThat(call("POST", "/v2/models/add_sub/infer", admin, GovernanceServerTest.ADD_SUB).statusCode())
        .isEqualTo(200);
    // The newest version of a language model that loads serves, the one above it is reported.
    assertThat(call("POST", "/v1/chat/completions", admin, chat("chat")).statusCode()).isEqualTo(200);
    HttpResponse<String> index = call("POST", "/v2/repository/index", admin, "{}");
    assertThat(index.statusCode()).isEqualTo(200);
    Map<String, String> reasons = new java.util.TreeMap<>();
    JSON.readTree(index.body())
        .forEach(row ->
            reasons.put(
                row.get("name").asText() + "/" + row.path("version").asText(),
                row.get("state").asText() + " " + row.path("reason").asText()));
    assertThat(reasons).containsEntry("add_sub/1", "READY ");
    assertThat(reasons.get("add_sub/2")).startsWith("UNAVAILABLE").contains("not a valid ONNX model");
    assertThat(reasons.get("evil-gguf-alignment-string/1"))
        .startsWith("UNAVAILABLE")
        .contains("general.alignment is STRING");
    assertThat(reasons.get("evil-gguf-dims-overflow/1"))
        .startsWith("UNAVAILABLE")
        .contains("product of its dimensions overflows");
    assertThat(reasons.get("evil-csv/1")).startsWith("UNAVAILABLE").contains("not a valid ONNX model");
    assertThat(reasons.get("chat/2")).startsWith("UNAVAILABLE").contains("past the end of the file");
    assertThat(reasons).containsEntry("chat/1", "READY "); // the version that serves (issue 11: indexed)
    assertThat(reasons.get("evil-folder/3")).startsWith("UNAVAILABLE").contains("general.alignment is STRING");
    for (String reason : reasons.values()) {
      for (String leak : LEAKS) {
        assertThat(reason).doesNotContainPattern(leak);
      }
    }
  }
}
