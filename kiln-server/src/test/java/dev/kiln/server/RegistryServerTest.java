package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The registry through a real server: pushes served by version and alias, GGUF models encrypted at rest, listings
 * filtered by scope, tampered artifacts and bad uploads refused, and every change audited.
 */
class RegistryServerTest extends GovernanceServerFixture {
  @Test
  void pushedModelsServeByVersionAndAliasAndEveryChangeIsAudited() throws Exception {
    start(true);
    push("add_sub");
    push("add_sub");
    HttpResponse<String> alias = call("PUT", "/api/v1/models/add_sub/aliases/production", admin, "{\"version\":1}");
    assertThat(alias.statusCode()).as(alias.body()).isEqualTo(200);
    String client = key("client", "invoke:add_sub");
    HttpResponse<String> viaPath = call("POST", "/v2/models/add_sub@production/infer", client, ADD_SUB);
    assertThat(viaPath.statusCode()).as(viaPath.body()).isEqualTo(200);
    assertThat(JSON.readTree(viaPath.body()).get("model_version").asText()).isEqualTo("1");
    HttpRequest viaHeader =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v2/models/add_sub/infer"))
            .header("Authorization", "Bearer " + client)
            .header("kiln-model-alias", "production")
            .POST(HttpRequest.BodyPublishers.ofString(ADD_SUB))
            .build();
    assertThat(
            JSON.readTree(http.send(viaHeader, HttpResponse.BodyHandlers.ofString()).body())
                .get("model_version")
                .asText())
        .isEqualTo("1");
    assertThat(
            JSON.readTree(call("POST", "/v2/models/add_sub/infer", client, ADD_SUB).body())
                .get("model_version")
                .asText())
        .isEqualTo("2");
    assertThat(call("POST", "/v2/models/add_sub@nope/infer", client, ADD_SUB).statusCode()).isEqualTo(404);

    JsonNode model = JSON.readTree(call("GET", "/api/v1/models/add_sub", admin, (String) null).body());
    assertThat(model.get("versions")).hasSize(2);
    assertThat(model.at("/versions/0/sha256").asText()).hasSize(64);
    assertThat(model.at("/versions/0/source").asText()).isEqualTo("uploaded");

    JsonNode audit = JSON.readTree(call("GET", "/api/v1/audit?limit=50", admin, (String) null).body());
    List<String> actions = new ArrayList<>();
    audit.forEach(e -> actions.add(e.get("action").asText() + " " + e.get("target").asText()));
    assertThat(actions)
        .contains(
            "model.push model:add_sub/1",
            "model.push model:add_sub/2",
            "model.alias model:add_sub@production",
            "key.create key:" + client.substring(5, 17));
    assertThat(audit.get(0).get("actor").asText()).isNotBlank();
  }

  @Test
  void aGgufPushedToTheRegistryIsEncryptedAtRestAndServedOverTheOpenAiApi() throws Exception {
    start(true);
    Path gguf = data.resolve("tiny.gguf");
    dev.kiln.engine.llama.TinyLlama.write(gguf, 9);
    HttpResponse<String> pushed =
        callBytes("POST", "/api/v1/models/chatty/versions", admin, java.nio.file.Files.readAllBytes(gguf));
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    assertThat(JSON.readTree(pushed.body()).get("format").asText()).isEqualTo("gguf");
    try (Stream<Path> files = Files.walk(data.resolve("artifacts"))) {
      Path stored =
          files.filter(p -> Files.isRegularFile(p) && p.toString().contains("/objects/")).findFirst().orElseThrow();
      assertThat(new String(Files.readAllBytes(stored), 0, 8)).isEqualTo("KILN-ENC");
    }
    String chat = "{\"model\":\"chatty\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";
    HttpResponse<String> r = call("POST", "/v1/chat/completions", admin, chat);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    // In the repository index with its state (one catalog, issue 11), but not a tensor model.
    assertThat(kiln.core().index(false))
        .filteredOn(e -> e.name().equals("chatty"))
        .extracting(e -> e.state())
        .containsExactly(dev.kiln.core.model.ModelState.READY);
    assertThat(kiln.core().readyModels()).doesNotContain("chatty");
    try (Stream<Path> served = Files.list(scratchFolder(scratch, "llm"))) {
      assertThat(served).hasSize(1); // the decrypted copy llama.cpp reads, in the process's (RAM) scratch
    }
    kiln.close();
    try (Stream<Path> cache = Files.list(scratch)) {
      assertThat(cache).isEmpty(); // the decrypted copy lives only while the server runs
    }
    assertThat(data.resolve("llm-cache")).doesNotExist();
    start(true); // and comes back from the registry at the next start
    assertThat(call("POST", "/v1/chat/completions", admin, chat).statusCode()).isEqualTo(200);
  }

  static List<String> names(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.get(field).asText()));
    return out;
  }

  @Test
  void listingsShowOnlyTheModelsAKeyMaySee() throws Exception {
    start(true);
    for (String m : List.of("iris-a", "iris-b", "other")) {
      push(m);
    }
    Path gguf = data.resolve("tiny.gguf");
    dev.kiln.engine.llama.TinyLlama.write(gguf, 9);
    for (String m : List.of("iris-chat", "other-chat")) {
      HttpResponse<String> r = callBytes("POST", "/api/v1/models/" + m + "/versions", admin, Files.readAllBytes(gguf));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    String manager = key("iris-manager", "manage:iris-*");
    String caller = key("other-caller", "invoke:other*");

    HttpResponse<String> registry = call("GET", "/api/v1/models", manager, (String) null);
    assertThat(registry.statusCode()).as(registry.body()).isEqualTo(200);
    assertThat(names(JSON.readTree(registry.body()), "name"))
        .containsExactlyInAnyOrder("iris-a", "iris-b", "iris-chat");
    HttpResponse<String> index = call("POST", "/v2/repository/index", manager, "{}");
    assertThat(index.statusCode()).as(index.body()).isEqualTo(200);
    // The index shows language models too (issue 11); /v2/models lists the tensor models it can infer with.
    assertThat(names(JSON.readTree(index.body()), "name")).containsExactlyInAnyOrder("iris-a", "iris-b", "iris-chat");
    assertThat(names(JSON.readTree(call("GET", "/v2/models", manager, (String) null).body()).get("models"), "name"))
        .containsExactlyInAnyOrder("iris-a", "iris-b");
    assertThat(names(JSON.readTree(call("GET", "/v1/models", manager, (String) null).body()).get("data"), "id"))
        .containsExactly("iris-chat");

    assertThat(names(JSON.readTree(call("GET", "/v2/models", caller, (String) null).body()).get("models"), "name"))
        .containsExactly("other");
    assertThat(names(JSON.readTree(call("POST", "/v2/repository/index", caller, "{}").body()), "name"))
        .containsExactly("other", "other-chat");
    assertThat(names(JSON.readTree(call("GET", "/v1/models", caller, (String) null).body()).get("data"), "id"))
        .containsExactly("other-chat");
    assertThat(JSON.readTree(call("GET", "/api/v1/models", caller, (String) null).body())).isEmpty();
    assertThat(names(JSON.readTree(call("GET", "/v2/models", admin, (String) null).body()).get("models"), "name"))
        .containsExactlyInAnyOrder("iris-a", "iris-b", "other");

    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      var grpcIndex =
          authorized(GRPCInferenceServiceGrpc.newBlockingStub(ch), manager)
              .repositoryIndex(dev.kiln.protocol.grpc.proto.RepositoryIndexRequest.getDefaultInstance());
      assertThat(grpcIndex.getModelsList())
          .extracting(m -> m.getName())
          .containsExactlyInAnyOrder("iris-a", "iris-b", "iris-chat");
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void aTamperedArtifactOrTheWrongMasterKeyIsRefusedWithTheReason() throws Exception {
    start(false);
    push("add_sub");
    kiln.close();
    Path artifact;
    try (Stream<Path> files = Files.walk(data.resolve("artifacts"))) {
      artifact =
          files.filter(p -> Files.isRegularFile(p) && p.toString().contains("/objects/")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(artifact);
    assertThat(new String(bytes, 0, 8)).isEqualTo("KILN-ENC");
    assertThat(new String(bytes)).doesNotContain("add_sub"); // the model's graph name is not readable at rest

    masterKey = data.resolve("other.key");
    MasterKeys.generate(masterKey);
    start(false);
    var entry = kiln.core().index(false).stream().filter(e -> e.name().equals("add_sub")).findFirst().orElseThrow();
    assertThat(entry.reason()).contains("is not loaded");
    kiln.close();

    masterKey = data.resolve("master.key");
    bytes[bytes.length - 20] ^= 1;
    Files.write(artifact, bytes);
    start(false);
    entry = kiln.core().index(false).stream().filter(e -> e.name().equals("add_sub")).findFirst().orElseThrow();
    assertThat(entry.reason()).contains("tampered or corrupted");
    assertThat(call("POST", "/v2/models/add_sub/infer", null, ADD_SUB).statusCode()).isEqualTo(503);
  }

  @Test
  void badModelsAndTraversalNamesAreRefusedAndLeaveNothingBehind() throws Exception {
    start(false);
    HttpResponse<String> garbage = call("POST", "/api/v1/models/junk/versions", null, "not an onnx model");
    assertThat(garbage.statusCode()).as(garbage.body()).isEqualTo(400);
    assertThat(call("GET", "/api/v1/models/junk", null, (String) null).body()).doesNotContain("\"version\":1");
    for (String name : List.of("..", "..%2F..%2Fetc", "%2e%2e", "a%00b", "con%5C..")) {
      int status = callBytes("POST", "/api/v1/models/" + name + "/versions", null, ExampleModels.addSub()).statusCode();
      assertThat(status).as(name).isIn(400, 404);
    }
    // Nothing named etc inside the repository or data folders, nor beside them where "../etc" would land. (Not a
    // walk of the whole temporary folder: other programs keep root filesystems there, with their own etc.)
    for (Path root : List.of(repo, data)) {
      try (Stream<Path> files = Files.walk(root)) {
        assertThat(files.filter(p -> p.getFileName().toString().equals("etc"))).as(root.toString()).isEmpty();
      }
    }
    try (Stream<Path> beside = Files.list(data.getParent())) {
      assertThat(beside.filter(p -> p.getFileName().toString().equals("etc"))).isEmpty();
    }
  }
}
