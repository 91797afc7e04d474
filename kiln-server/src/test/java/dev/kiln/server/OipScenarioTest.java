package dev.kiln.server;

import static dev.kiln.core.oip.OipOperation.ALL_STATISTICS;
import static dev.kiln.core.oip.OipOperation.INFER;
import static dev.kiln.core.oip.OipOperation.MODEL_CONFIG;
import static dev.kiln.core.oip.OipOperation.MODEL_METADATA;
import static dev.kiln.core.oip.OipOperation.MODEL_READY;
import static dev.kiln.core.oip.OipOperation.MODEL_STATISTICS;
import static dev.kiln.core.oip.OipOperation.REPOSITORY_INDEX;
import static dev.kiln.core.oip.OipOperation.REPOSITORY_LOAD;
import static dev.kiln.core.oip.OipOperation.REPOSITORY_UNLOAD;
import static dev.kiln.core.oip.OipOperation.SERVER_LIVE;
import static dev.kiln.core.oip.OipOperation.SERVER_METADATA;
import static dev.kiln.core.oip.OipOperation.SERVER_READY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.oip.OipOperation;
import dev.kiln.core.oip.ServerIdentity;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.server.OipCall.Answer;
import dev.kiln.server.OipCall.Outcome;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OIP rules are written once (dev.kiln.core.oip); this proves REST and gRPC render them alike. One table of
 * scenarios runs, in order, over real HTTP and a real gRPC channel against one governed server started by {@link
 * Kiln#start}: each must end in the same outcome class on both, and the views both answer (server, metadata, config,
 * statistics, index, infer) must say the same things.
 */
class OipScenarioTest {
  /** Who calls: keys with different scopes. */
  enum Key {
    NONE,
    ADMIN,
    INVOKE_ADD,
    INVOKE_ALL,
    MANAGE_ALL
  }

  record Scenario(String name, Key key, OipCall call, Outcome expected, Map<String, String> facts) {}

  static Scenario s(String name, Key key, OipCall call, Outcome expected, String... facts) {
    Map<String, String> f = new LinkedHashMap<>();
    for (int i = 0; i < facts.length; i += 2) {
      f.put(facts[i], facts[i + 1]);
    }
    return new Scenario(name, key, call, expected, f);
  }

  static OipCall op(OipOperation op) {
    return OipCall.of(op);
  }

  static OipCall op(OipOperation op, String model) {
    return OipCall.of(op, model);
  }

  static final List<Scenario> TABLE =
      List.of(
          s("live without a key", Key.NONE, op(SERVER_LIVE), Outcome.OK),
          s("ready without a key", Key.NONE, op(SERVER_READY), Outcome.OK),
          s("server metadata needs a key", Key.NONE, op(SERVER_METADATA), Outcome.UNAUTHENTICATED),
          s(
              "server metadata: one name and version",
              Key.INVOKE_ADD,
              op(SERVER_METADATA),
              Outcome.OK,
              "name",
              "kiln",
              "version",
              ServerIdentity.VERSION,
              "extensions",
              String.join(",", ServerIdentity.EXTENSIONS)),
          // Readiness.
          s("ready: a model in scope", Key.INVOKE_ADD, op(MODEL_READY, "add_sub"), Outcome.OK, "ready", "true"),
          s("ready: a model out of scope", Key.INVOKE_ADD, op(MODEL_READY, "mlp"), Outcome.DENIED),
          s("ready: without a key", Key.NONE, op(MODEL_READY, "add_sub"), Outcome.UNAUTHENTICATED),
          s("ready: an unknown model", Key.ADMIN, op(MODEL_READY, "nope"), Outcome.NOT_FOUND),
          s("ready: an unknown version", Key.ADMIN, op(MODEL_READY, "add_sub").version("9"), Outcome.NOT_FOUND),
          s("ready: a known model that failed to load", Key.ADMIN, op(MODEL_READY, "broken"), Outcome.NOT_READY),
          s("ready: by alias", Key.INVOKE_ALL, op(MODEL_READY, "pushed").alias("production"), Outcome.OK),
          s("ready: an unknown alias", Key.INVOKE_ALL, op(MODEL_READY, "pushed").alias("nope"), Outcome.NOT_FOUND),
          // Metadata and config.
          s(
              "metadata",
              Key.INVOKE_ADD,
              op(MODEL_METADATA, "add_sub"),
              Outcome.OK,
              "name",
              "add_sub",
              "versions",
              "[1]",
              "inputs",
              "a:FP32:[-1,4],b:FP32:[-1,4]"),
          s(
              "metadata: an unknown version",
              Key.INVOKE_ADD,
              op(MODEL_METADATA, "add_sub").version("7"),
              Outcome.NOT_FOUND),
          s(
              "metadata: a version and an alias",
              Key.INVOKE_ALL,
              op(MODEL_METADATA, "pushed").version("1").alias("production"),
              Outcome.INVALID),
          s(
              "config: batching, instances, version policy",
              Key.INVOKE_ALL,
              op(MODEL_CONFIG, "mlp"),
              Outcome.OK,
              "name",
              "mlp",
              "max_batch_size",
              "8",
              "input",
              "input:TYPE_FP32:[784]",
              "dynamic_batching",
              "[4,8] 100us",
              "instance_group",
              "2 KIND_CPU",
              "version_policy",
              "all "),
          s(
              "config: a model without batching",
              Key.INVOKE_ADD,
              op(MODEL_CONFIG, "add_sub"),
              Outcome.OK,
              "max_batch_size",
              "0",
              "input",
              "a:TYPE_FP32:[-1,4],b:TYPE_FP32:[-1,4]",
              "dynamic_batching",
              "none",
              "instance_group",
              "1 KIND_CPU",
              "version_policy",
              "latest 1"),
          s("config: out of scope", Key.INVOKE_ADD, op(MODEL_CONFIG, "mlp"), Outcome.DENIED),
          s("config: an unknown model", Key.ADMIN, op(MODEL_CONFIG, "nope"), Outcome.NOT_FOUND),
          // Inference, by version and alias.
          s("infer", Key.INVOKE_ADD, op(INFER, "add_sub"), Outcome.OK, "model_name", "add_sub", "model_version", "1"),
          s("infer: out of scope", Key.INVOKE_ADD, op(INFER, "pushed"), Outcome.DENIED),
          s("infer: highest version", Key.INVOKE_ALL, op(INFER, "pushed"), Outcome.OK, "model_version", "2"),
          s(
              "infer: by alias",
              Key.INVOKE_ALL,
              op(INFER, "pushed").alias("production"),
              Outcome.OK,
              "model_name",
              "pushed",
              "model_version",
              "1"),
          s("infer: an unknown version", Key.INVOKE_ALL, op(INFER, "add_sub").version("5"), Outcome.NOT_FOUND),
          s("infer: an unknown model", Key.INVOKE_ALL, op(INFER, "nope"), Outcome.NOT_FOUND),
          // Statistics: one model is the caller's business, all models take manage:*.
          s(
              "statistics of one model",
              Key.INVOKE_ADD,
              op(MODEL_STATISTICS, "add_sub"),
              Outcome.OK,
              "model_stats",
              "add_sub/1"),
          s(
              "statistics by alias",
              Key.INVOKE_ALL,
              op(MODEL_STATISTICS, "pushed").alias("production"),
              Outcome.OK,
              "model_stats",
              "pushed/1"),
          s(
              "statistics: an unknown version",
              Key.INVOKE_ALL,
              op(MODEL_STATISTICS, "add_sub").version("4"),
              Outcome.NOT_FOUND),
          s("statistics of every model: invoke:* is not enough", Key.INVOKE_ALL, op(ALL_STATISTICS), Outcome.DENIED),
          s(
              "statistics of every model: manage:*",
              Key.MANAGE_ALL,
              op(ALL_STATISTICS),
              Outcome.OK,
              "model_stats",
              "add_sub/1,mlp/1,pushed/1,pushed/2,spare/1"),
          // The repository.
          s(
              "index shows what the key may call",
              Key.INVOKE_ADD,
              op(REPOSITORY_INDEX),
              Outcome.OK,
              "index",
              "add_sub/1/READY"),
          s("index needs a key", Key.NONE, op(REPOSITORY_INDEX), Outcome.UNAUTHENTICATED),
          s("load needs manage", Key.INVOKE_ADD, op(REPOSITORY_LOAD, "add_sub"), Outcome.DENIED),
          s("load", Key.MANAGE_ALL, op(REPOSITORY_LOAD, "add_sub"), Outcome.OK),
          s(
              "load with unload_dependents",
              Key.MANAGE_ALL,
              op(REPOSITORY_LOAD, "add_sub").parameters("unload_dependents"),
              Outcome.OK),
          s(
              "load with a config override",
              Key.MANAGE_ALL,
              op(REPOSITORY_LOAD, "add_sub").parameters("config"),
              Outcome.UNSUPPORTED),
          s("load an unknown model", Key.MANAGE_ALL, op(REPOSITORY_LOAD, "nope"), Outcome.NOT_FOUND),
          s(
              "unload with unload_dependents",
              Key.MANAGE_ALL,
              op(REPOSITORY_UNLOAD, "spare").parameters("unload_dependents"),
              Outcome.OK),
          s(
              "unload with another parameter",
              Key.MANAGE_ALL,
              op(REPOSITORY_UNLOAD, "spare").parameters("force"),
              Outcome.UNSUPPORTED),
          s("ready: an unloaded model", Key.ADMIN, op(MODEL_READY, "spare"), Outcome.NOT_READY),
          s("load it again", Key.MANAGE_ALL, op(REPOSITORY_LOAD, "spare"), Outcome.OK),
          s("ready: loaded again", Key.ADMIN, op(MODEL_READY, "spare"), Outcome.OK, "ready", "true"));

  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path repo;
  @TempDir static Path data;
  static Kiln kiln;
  static ManagedChannel channel;
  static final Map<Key, String> TOKENS = new EnumMap<>(Key.class);

  @BeforeAll
  static void start() throws Exception {
    ExampleModels.write(repo, "add_sub", 1, ExampleModels.addSub());
    ExampleModels.write(repo, "spare", 1, ExampleModels.addSub());
    ExampleModels.write(repo, "mlp", 1, ExampleModels.Mlp.random(784, 16, 10, 3).onnx());
    Files.writeString(
        repo.resolve("mlp/config.json"),
        "{\"max-batch-size\": 8, \"dynamic-batching\": "
            + "{\"max-queue-delay-us\": 100, \"preferred-batch-sizes\": [4, 8]}, \"instance-count\": 2, "
            + "\"version-policy\": \"all\"}");
    ExampleModels.write(repo, "broken", 1, "not an onnx model".getBytes());
    Path masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withModelControl(ModelControl.EXPLICIT)
                .withTraining(TrainingConfig.defaults(data))
                .withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey)));
    TOKENS.put(Key.NONE, "");
    TOKENS.put(Key.ADMIN, kiln.bootstrapToken().orElseThrow());
    TOKENS.put(Key.INVOKE_ADD, key("invoke:add_*"));
    TOKENS.put(Key.INVOKE_ALL, key("invoke:*"));
    TOKENS.put(Key.MANAGE_ALL, key("manage:*"));
    for (int i = 0; i < 2; i++) {
      admin("POST", "/api/v1/models/pushed/versions", HttpRequest.BodyPublishers.ofByteArray(ExampleModels.addSub()));
    }
    admin("PUT", "/api/v1/models/pushed/aliases/production", HttpRequest.BodyPublishers.ofString("{\"version\":1}"));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (kiln != null) {
      kiln.close();
    }
  }

  static String admin(String method, String path, HttpRequest.BodyPublisher body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
                    .method(method, body)
                    .header("Authorization", "Bearer " + kiln.bootstrapToken().orElseThrow())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 201);
    return r.body();
  }

  static String key(String scope) throws Exception {
    String body =
        admin(
            "POST",
            "/api/v1/keys",
            HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"" + scope.replaceAll("[^a-z]", "-") + "\",\"scopes\":[\"" + scope + "\"]}"));
    return JSON.readTree(body).get("token").asText();
  }

  @Test
  void everyScenarioEndsTheSameOverRestAndGrpc() throws Exception {
    OipCall.Client rest = new RestOipClient(kiln.httpPort());
    OipCall.Client grpc = new GrpcOipClient(channel);
    SoftAssertions soft = new SoftAssertions();
    for (Scenario s : TABLE) {
      Answer r = rest.call(s.call(), TOKENS.get(s.key()));
      Answer g = grpc.call(s.call(), TOKENS.get(s.key()));
      soft.assertThat(r.outcome()).as("%s over REST (%s)", s.name(), r.detail()).isEqualTo(s.expected());
      soft.assertThat(g.outcome()).as("%s over gRPC (%s)", s.name(), g.detail()).isEqualTo(s.expected());
      soft.assertThat(g.facts()).as("%s: gRPC's view is REST's", s.name()).isEqualTo(r.facts());
      soft.assertThat(r.facts()).as("%s: the view", s.name()).containsAllEntriesOf(s.facts());
    }
    soft.assertAll();
  }

  @Test
  void theTableCoversEveryOperationAndEveryOutcome() {
    Set<OipOperation> ops = TABLE.stream().map(s -> s.call().op()).collect(Collectors.toSet());
    assertThat(ops).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(OipOperation.class));
    Set<Outcome> outcomes = TABLE.stream().map(Scenario::expected).collect(Collectors.toSet());
    assertThat(outcomes).containsExactlyInAnyOrderElementsOf(EnumSet.complementOf(EnumSet.of(Outcome.OTHER)));
  }
}
