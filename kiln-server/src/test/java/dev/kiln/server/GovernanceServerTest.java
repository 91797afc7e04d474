package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.Scope;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
import dev.kiln.http.Router;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, scopes, limits, the registry and the audit log, through a real server over HTTP and gRPC. */
class GovernanceServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ADD_SUB = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],"
      + "\"data\":[1,2,3,4]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,1,1,1]}]}";

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;
  Path masterKey;
  Kiln kiln;
  String admin;
  /** What governance counts by; a test that crosses rate windows steps it instead of waiting on the wall. */
  Clock clock = Clock.systemUTC();

  /** A clock that moves only when told to. */
  static final class SteppedClock extends Clock {
    private volatile Instant now;

    SteppedClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("a UTC test clock");
    }
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  Kiln start(boolean auth) throws Exception {
    if (masterKey == null) {
      masterKey = data.resolve("master.key");
      MasterKeys.generate(masterKey);
    }
    kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0)
        .withTraining(TrainingConfig.defaults(data))
        .withGovernance(database(GovernanceConfig.defaults(data).withAuth(auth).withMasterKey(masterKey))), clock);
    if (kiln.bootstrapToken() != null) {
      admin = kiln.bootstrapToken();
    }
    return kiln;
  }

  /** The governance database: SQLite in {@code data} here; {@link GovernanceOnPostgresqlTest} swaps in PostgreSQL. */
  GovernanceConfig database(GovernanceConfig g) {
    return g;
  }

  HttpResponse<String> callBytes(String method, String path, String key, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> call(String method, String path, String key, String body) throws Exception {
    return callBytes(method, path, key, body == null ? null : body.getBytes());
  }

  String key(String name, String... scopes) throws Exception {
    StringBuilder s = new StringBuilder();
    for (String x : scopes) {
      s.append(s.isEmpty() ? "" : ",").append('"').append(x).append('"');
    }
    HttpResponse<String> r = call("POST", "/api/v1/keys", admin, "{\"name\":\"" + name + "\",\"scopes\":[" + s
        + "]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("token").asText();
  }

  void push(String model) throws Exception {
    HttpResponse<String> r = callBytes("POST", "/api/v1/models/" + model + "/versions", admin, ExampleModels.addSub());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  /** A concrete path for a route's pattern; the test fails if a new route shape is not handled here. */
  static String example(Router.Route route) {
    String p = route.pattern().pattern()
        .replaceAll("\\(\\?:[^()]*(\\([^()]*\\))?[^()]*\\)\\?", "")
        .replace("([0-9]{1,18})", "1").replace("([0-9]{1,9})", "1").replace("([0-9]+)", "1")
        .replace("([a-z2-7]{12})", "abcdefghijkl").replace("(archive|unarchive)", "archive")
        .replaceAll("\\([^)]*\\)", "m").replace("/?", "");
    assertThat(route.pattern().matcher(p).matches()).as("example %s for %s", p, route.pattern()).isTrue();
    return p;
  }

  /**
   * The only routes and RPCs served without a key: the health probes. Pinned here, not read from the routes'
   * declarations, so a route wrongly declared open fails the walk below.
   */
  static final java.util.Set<String> OPEN_ROUTES = java.util.Set.of("GET /v2/health/live", "GET /v2/health/ready");
  static final java.util.Set<String> OPEN_RPCS = java.util.Set.of("ServerLive", "ServerReady");
  static final String FORGED = "kiln_aaaaaaaaaaaa_" + "A".repeat(43);

  @Test
  void everyRouteAndRpcButTheHealthProbesRefusesCallersWithoutAKey() throws Exception {
    start(true);
    List<String> checked = new ArrayList<>();
    for (Router.Route route : kiln.http().routes()) {
      String path = example(route);
      HttpResponse<String> r = call(route.method().name(), path, null, "{}");
      if (OPEN_ROUTES.contains(route.method() + " " + path)) {
        assertThat(r.statusCode()).as(route.method() + " " + path).isNotEqualTo(401);
      } else {
        assertThat(r.statusCode()).as(route.method() + " " + path).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"kiln\"");
        JsonNode error = JSON.readTree(r.body()).get("error"); // Kiln's shape, or OpenAI's on /v1 routes
        assertThat(error.isObject() ? error.get("message").asText() : error.asText()).contains("API key");
        HttpResponse<String> forged = call(route.method().name(), path, FORGED, "{}");
        assertThat(forged.statusCode()).as("forged key on " + path).isEqualTo(401);
      }
      checked.add(route.method() + " " + path);
    }
    assertThat(checked).hasSizeGreaterThan(30).contains("POST /api/v1/keys").containsAll(OPEN_ROUTES);

    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      for (var method : GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
        boolean open = OPEN_RPCS.contains(method.getBareMethodName());
        for (String key : java.util.Arrays.asList(null, FORGED, "not-a-kiln-key")) {
          assertThat(callWithDefaultMessage(ch, method, key)).as(method.getFullMethodName() + " with key " + key)
              .isEqualTo(open ? Status.Code.OK : Status.Code.UNAUTHENTICATED);
        }
      }
      assertThat(io.grpc.health.v1.HealthGrpc.newBlockingStub(ch).check(
          io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      ch.shutdownNow();
    }
  }

  @SuppressWarnings("unchecked")
  static Status.Code callWithDefaultMessage(ManagedChannel ch, MethodDescriptor<?, ?> method, String key) {
    MethodDescriptor<Object, Object> m = (MethodDescriptor<Object, Object>) method;
    Object request = ((MethodDescriptor.PrototypeMarshaller<Object>) m.getRequestMarshaller()).getMessagePrototype();
    Metadata headers = new Metadata();
    if (key != null) {
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    }
    var channel = io.grpc.ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(headers));
    ClientCall<Object, Object> call = channel.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(5,
        java.util.concurrent.TimeUnit.SECONDS));
    try {
      if (m.getType() == MethodDescriptor.MethodType.UNARY) {
        ClientCalls.blockingUnaryCall(call, request);
      } else {
        java.util.concurrent.CompletableFuture<Status.Code> done = new java.util.concurrent.CompletableFuture<>();
        var requests = ClientCalls.asyncBidiStreamingCall(call, new io.grpc.stub.StreamObserver<Object>() {
          @Override
          public void onNext(Object value) {}

          @Override
          public void onError(Throwable t) {
            done.complete(Status.fromThrowable(t).getCode());
          }

          @Override
          public void onCompleted() {
            done.complete(Status.Code.OK);
          }
        });
        requests.onNext(request);
        requests.onCompleted();
        return done.get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (Exception e) {
      return Status.Code.UNKNOWN;
    }
  }

  @Test
  void scopesDecideWhichModelsAKeyMayCallOnBothProtocols() throws Exception {
    start(true);
    push("add_sub");
    push("other");
    String onlyAddSub = key("client", "invoke:add_*");
    assertThat(call("POST", "/v2/models/add_sub/infer", onlyAddSub, ADD_SUB).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = call("POST", "/v2/models/other/infer", onlyAddSub, ADD_SUB);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("may not invoke model 'other'");
    assertThat(call("POST", "/api/v1/keys", onlyAddSub, "{}").statusCode()).isEqualTo(403);
    assertThat(callBytes("POST", "/api/v1/models/add_sub/versions", onlyAddSub, ExampleModels.addSub()).statusCode())
        .isEqualTo(403);
    assertThat(call("GET", "/v2/models", onlyAddSub, (String) null).statusCode()).isEqualTo(200);

    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      Metadata h = new Metadata();
      h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + onlyAddSub);
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch).withInterceptors(
          MetadataUtils.newAttachHeadersInterceptor(h));
      assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("add_sub").build()).getReady()).isTrue();
      StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
          () -> stub.modelReady(ModelReadyRequest.newBuilder().setName("other").build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void revokedExpiredAndRotatedKeysStopWorking() throws Exception {
    start(true);
    push("add_sub");
    String k = key("soon-revoked", "invoke:*");
    String id = k.substring(5, 17);
    assertThat(call("POST", "/v2/models/add_sub/infer", k, ADD_SUB).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/api/v1/keys/" + id + "/revoke", admin, "").statusCode()).isEqualTo(200);
    HttpResponse<String> revoked = call("POST", "/v2/models/add_sub/infer", k, ADD_SUB);
    assertThat(revoked.statusCode()).isEqualTo(401);
    assertThat(revoked.body()).contains("revoked");

    String r = key("rotating", "invoke:*");
    String rid = r.substring(5, 17);
    String fresh = JSON.readTree(call("POST", "/api/v1/keys/" + rid + "/rotate", admin, "").body()).get("token")
        .asText();
    assertThat(call("POST", "/v2/models/add_sub/infer", r, ADD_SUB).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/v2/models/add_sub/infer", fresh, ADD_SUB).statusCode()).isEqualTo(200);

    ApiKeys.Created expired = kiln.apiKeys().create("expired", List.of(Scope.parse("invoke:*")), null, Map.of(),
        Instant.now().minusSeconds(1), "test");
    HttpResponse<String> e = call("POST", "/v2/models/add_sub/infer", expired.token(), ADD_SUB);
    assertThat(e.statusCode()).isEqualTo(401);
    assertThat(e.body()).contains("expired");
  }

  @Test
  void aKeyOverItsRateLimitGets429WithRetryAfterAndItsDailyQuotaSurvivesARestart() throws Exception {
    // Ten seconds into a minute of today (UTC noon, so no step below crosses a day), and only moved by the test:
    // the window cannot roll over between the requests, however slow the machine.
    SteppedClock stepped = new SteppedClock(LocalDate.now(ZoneOffset.UTC).atTime(12, 0, 10).toInstant(ZoneOffset.UTC));
    clock = stepped;
    start(true);
    push("add_sub");
    ApiKeys.Created limited = kiln.apiKeys().create("limited", List.of(Scope.parse("invoke:*")),
        new Limits(3L, 5L, null), Map.of(), null, "test");
    for (int i = 0; i < 3; i++) {
      assertThat(call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> over = call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB);
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.body()).contains("3 requests per minute");
    assertThat(over.headers().firstValue("retry-after")).hasValue("50");
    stepped.advance(Duration.ofSeconds(49));
    assertThat(call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB).headers()
        .firstValue("retry-after")).hasValue("1");
    stepped.advance(Duration.ofSeconds(1)); // the next minute: a fresh window
    assertThat(call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB).statusCode()).isEqualTo(200);

    ApiKeys.Created daily = kiln.apiKeys().create("daily", List.of(Scope.parse("invoke:*")),
        new Limits(null, 2L, null), Map.of(), null, "test");
    assertThat(call("POST", "/v2/models/add_sub/infer", daily.token(), ADD_SUB).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/v2/models/add_sub/infer", daily.token(), ADD_SUB).statusCode()).isEqualTo(200);
    kiln.close(); // flushes the counters to the database
    start(true);
    HttpResponse<String> afterRestart = call("POST", "/v2/models/add_sub/infer", daily.token(), ADD_SUB);
    assertThat(afterRestart.statusCode()).as(afterRestart.body()).isEqualTo(429);
    assertThat(afterRestart.body()).contains("daily quota of 2 requests");

    HttpResponse<String> usage = call("GET", "/api/v1/usage?key=" + limited.key().id(), admin, (String) null);
    JsonNode rows = JSON.readTree(usage.body());
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("requests").asLong()).isEqualTo(6);
    assertThat(rows.get(0).get("errors").asLong()).isEqualTo(2);
    assertThat(call("GET", "/api/v1/usage?key=" + daily.key().id(), limited.token(), (String) null).statusCode())
        .isEqualTo(403);
  }

  @Test
  void usageCountsTheRowsOfEachInferCallOnBothProtocols() throws Exception {
    start(true);
    push("add_sub");
    String client = key("rows", "invoke:add_sub");
    String threeRows = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[3,4],"
        + "\"data\":[1,2,3,4,1,2,3,4,1,2,3,4]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[3,4],"
        + "\"data\":[1,1,1,1,1,1,1,1,1,1,1,1]}]}";
    HttpResponse<String> rest = call("POST", "/v2/models/add_sub/infer", client, threeRows);
    assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(2 * 4 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      var tensor = ModelInferRequest.InferInputTensor.newBuilder().setDatatype("FP32").addShape(2).addShape(4);
      ModelInferRequest twoRows = ModelInferRequest.newBuilder().setModelName("add_sub")
          .addInputs(tensor.clone().setName("a")).addInputs(tensor.clone().setName("b"))
          .addRawInputContents(com.google.protobuf.ByteString.copyFrom(raw.array()))
          .addRawInputContents(com.google.protobuf.ByteString.copyFrom(raw.array())).build();
      assertThat(authorized(GRPCInferenceServiceGrpc.newBlockingStub(ch), client).modelInfer(twoRows)
          .getOutputsCount()).isEqualTo(2);
    } finally {
      ch.shutdownNow();
    }
    JsonNode usage = JSON.readTree(call("GET", "/api/v1/usage", client, (String) null).body());
    assertThat(usage).hasSize(1);
    assertThat(usage.get(0).get("requests").asLong()).isEqualTo(2);
    assertThat(usage.get(0).get("rows").asLong()).isEqualTo(5);
  }

  static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub authorized(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub, String key) {
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
  }

  @Test
  void pushedModelsServeByVersionAndAliasAndEveryChangeIsAudited() throws Exception {
    start(true);
    push("add_sub");
    push("add_sub");
    HttpResponse<String> alias = call("PUT", "/api/v1/models/add_sub/aliases/production", admin,
        "{\"version\":1}");
    assertThat(alias.statusCode()).as(alias.body()).isEqualTo(200);
    String client = key("client", "invoke:add_sub");
    HttpResponse<String> viaPath = call("POST", "/v2/models/add_sub@production/infer", client, ADD_SUB);
    assertThat(viaPath.statusCode()).as(viaPath.body()).isEqualTo(200);
    assertThat(JSON.readTree(viaPath.body()).get("model_version").asText()).isEqualTo("1");
    HttpRequest viaHeader = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort()
        + "/v2/models/add_sub/infer")).header("Authorization", "Bearer " + client)
        .header("kiln-model-alias", "production").POST(HttpRequest.BodyPublishers.ofString(ADD_SUB)).build();
    assertThat(JSON.readTree(http.send(viaHeader, HttpResponse.BodyHandlers.ofString()).body())
        .get("model_version").asText()).isEqualTo("1");
    assertThat(JSON.readTree(call("POST", "/v2/models/add_sub/infer", client, ADD_SUB).body())
        .get("model_version").asText()).isEqualTo("2");
    assertThat(call("POST", "/v2/models/add_sub@nope/infer", client, ADD_SUB).statusCode()).isEqualTo(404);

    JsonNode model = JSON.readTree(call("GET", "/api/v1/models/add_sub", admin, (String) null).body());
    assertThat(model.get("versions")).hasSize(2);
    assertThat(model.at("/versions/0/sha256").asText()).hasSize(64);
    assertThat(model.at("/versions/0/source").asText()).isEqualTo("uploaded");

    JsonNode audit = JSON.readTree(call("GET", "/api/v1/audit?limit=50", admin, (String) null).body());
    List<String> actions = new ArrayList<>();
    audit.forEach(e -> actions.add(e.get("action").asText() + " " + e.get("target").asText()));
    assertThat(actions).contains("model.push model:add_sub/1", "model.push model:add_sub/2",
        "model.alias model:add_sub@production", "key.create key:" + client.substring(5, 17));
    assertThat(audit.get(0).get("actor").asText()).isNotBlank();
  }

  @Test
  void languageModelCallsCountTokensAgainstTheKeysDailyTokenQuota() throws Exception {
    dev.kiln.engine.llama.TinyLlama.write(java.nio.file.Files.createDirectories(repo.resolve("tiny/1"))
        .resolve("model.gguf"), 5);
    start(true);
    ApiKeys.Created k = kiln.apiKeys().create("llm", List.of(Scope.parse("invoke:tiny")), new Limits(null, null, 20L),
        Map.of(), null, "test");
    String chat = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":4}";
    HttpResponse<String> first = call("POST", "/v1/chat/completions", k.token(), chat);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    int used = JSON.readTree(first.body()).at("/usage/total_tokens").asInt();
    assertThat(used).isGreaterThan(20); // the prompt's template alone is longer than the quota
    HttpResponse<String> second = call("POST", "/v1/chat/completions", k.token(), chat);
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(second.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(second.body()).contains("daily quota of 20 tokens");
    JsonNode usage = JSON.readTree(call("GET", "/api/v1/usage?key=" + k.key().id(), admin, (String) null).body());
    assertThat(usage.get(0).get("tokens").asLong()).isEqualTo(used);
  }

  @Test
  void aGgufPushedToTheRegistryIsEncryptedAtRestAndServedOverTheOpenAiApi() throws Exception {
    start(true);
    Path gguf = data.resolve("tiny.gguf");
    dev.kiln.engine.llama.TinyLlama.write(gguf, 9);
    HttpResponse<String> pushed = callBytes("POST", "/api/v1/models/chatty/versions", admin,
        java.nio.file.Files.readAllBytes(gguf));
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    assertThat(JSON.readTree(pushed.body()).get("format").asText()).isEqualTo("gguf");
    try (Stream<Path> files = Files.walk(data.resolve("artifacts"))) {
      Path stored = files.filter(p -> Files.isRegularFile(p) && p.toString().contains("/objects/")).findFirst()
          .orElseThrow();
      assertThat(new String(Files.readAllBytes(stored), 0, 8)).isEqualTo("KILN-ENC");
    }
    String chat = "{\"model\":\"chatty\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";
    HttpResponse<String> r = call("POST", "/v1/chat/completions", admin, chat);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    // In the repository index with its state (one catalog, issue 11), but not a tensor model.
    assertThat(kiln.core().index(false)).filteredOn(e -> e.name().equals("chatty")).extracting(e -> e.state())
        .containsExactly(dev.kiln.core.model.ModelState.READY);
    assertThat(kiln.core().readyModels()).doesNotContain("chatty");
    kiln.close();
    try (Stream<Path> cache = Files.list(data.resolve("llm-cache"))) {
      assertThat(cache).isEmpty(); // the decrypted copy lives only while the server runs
    }
    start(true); // and comes back from the registry at the next start
    assertThat(call("POST", "/v1/chat/completions", admin, chat).statusCode()).isEqualTo(200);
  }

  @Test
  void trainingIsAuditedAndNeedsTheTrainScope() throws Exception {
    start(true);
    String trainer = key("trainer", "train");
    String caller = key("caller", "invoke:*");
    String csv = "x,y\n" + "1,3\n2,5\n3,7\n4,9\n5,11\n6,13\n7,15\n8,17\n9,19\n10,21\n";
    assertThat(call("POST", "/api/v1/datasets/line?label=y", caller, csv).statusCode()).isEqualTo(403);
    HttpResponse<String> added = call("POST", "/api/v1/datasets/line?label=y", trainer, csv);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    JsonNode audit = JSON.readTree(call("GET", "/api/v1/audit?action=dataset.add", admin, (String) null).body());
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).get("actor").asText()).isEqualTo(trainer.substring(5, 17));
    assertThat(audit.get(0).get("target").asText()).isEqualTo("dataset:line/1");
  }

  static String lineCsv() {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int x = 1; x <= 40; x++) {
      csv.append(x).append(',').append(2 * x + 1).append('\n');
    }
    return csv.toString();
  }

  JsonNode finished(long job, String key) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
    while (true) {
      JsonNode j = JSON.readTree(call("GET", "/api/v1/jobs/" + job, key, (String) null).body());
      if (!j.path("state").asText().matches("QUEUED|RUNNING") || System.nanoTime() > deadline) {
        return j;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void jobsAndDatasetsBelongToTheKeyThatMadeThemAndDeployNeedsManageOnTheTarget() throws Exception {
    start(true);
    push("mlp");
    String a = key("trainer-a", "train", "manage:line-*");
    String b = key("trainer-b", "train");
    assertThat(call("POST", "/api/v1/datasets/line?label=y&task=regression", a, lineCsv()).statusCode())
        .isEqualTo(201);
    // Another key's dataset: unseen (404, so its existence does not leak), not listed, not extended, not trained on.
    assertThat(call("GET", "/api/v1/datasets/line", b, (String) null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/v1/datasets/line/versions/1", b, (String) null).statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(call("GET", "/api/v1/datasets", b, (String) null).body())).isEmpty();
    assertThat(call("POST", "/api/v1/datasets/line?label=y", b, lineCsv()).statusCode()).isEqualTo(403);
    String job = "{\"dataset\":\"line\",\"model\":\"type: linear_regression\",\"training\":{\"epochs\":2}}";
    assertThat(call("POST", "/api/v1/jobs", b, job).statusCode()).isEqualTo(404);

    HttpResponse<String> submitted = call("POST", "/api/v1/jobs", a, job);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    long id = JSON.readTree(submitted.body()).get("id").asLong();
    for (String[] route : new String[][] {{"GET", ""}, {"GET", "/events"}, {"GET", "/model"}, {"POST", "/cancel"},
        {"POST", "/deploy"}}) {
      HttpResponse<String> r = call(route[0], "/api/v1/jobs/" + id + route[1], b, "{\"name\":\"line-b\"}");
      assertThat(r.statusCode()).as(route[0] + " " + route[1] + ": " + r.body()).isEqualTo(404);
      assertThat(r.body()).contains("no job " + id);
    }
    assertThat(JSON.readTree(call("GET", "/api/v1/jobs", b, (String) null).body())).isEmpty();

    JsonNode done = finished(id, a);
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    // train alone does not let a key replace a served model: deploy needs manage on the target name.
    HttpResponse<String> hijack = call("POST", "/api/v1/jobs/" + id + "/deploy", a, "{\"name\":\"mlp\"}");
    assertThat(hijack.statusCode()).as(hijack.body()).isEqualTo(403);
    assertThat(hijack.body()).contains("may not manage model 'mlp'");
    assertThat(JSON.readTree(call("GET", "/api/v1/models/mlp", admin, (String) null).body()).get("versions"))
        .hasSize(1);
    HttpResponse<String> own = call("POST", "/api/v1/jobs/" + id + "/deploy", a, "{\"name\":\"line-fit\"}");
    assertThat(own.statusCode()).as(own.body()).isEqualTo(201);

    // Admin sees every key's jobs and datasets.
    assertThat(call("GET", "/api/v1/jobs/" + id, admin, (String) null).statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(call("GET", "/api/v1/jobs", admin, (String) null).body())).hasSize(1);
    assertThat(JSON.readTree(call("GET", "/api/v1/datasets", admin, (String) null).body())).hasSize(1);
    assertThat(JSON.readTree(call("GET", "/api/v1/jobs", a, (String) null).body()).get(0).get("created_by")
        .asText()).isEqualTo(a.substring(5, 17));
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
    assertThat(names(JSON.readTree(registry.body()), "name")).containsExactlyInAnyOrder("iris-a", "iris-b",
        "iris-chat");
    HttpResponse<String> index = call("POST", "/v2/repository/index", manager, "{}");
    assertThat(index.statusCode()).as(index.body()).isEqualTo(200);
    // The index shows language models too (issue 11); /v2/models lists the tensor models it can infer with.
    assertThat(names(JSON.readTree(index.body()), "name")).containsExactlyInAnyOrder("iris-a", "iris-b",
        "iris-chat");
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
      var grpcIndex = authorized(GRPCInferenceServiceGrpc.newBlockingStub(ch), manager)
          .repositoryIndex(dev.kiln.protocol.grpc.proto.RepositoryIndexRequest.getDefaultInstance());
      assertThat(grpcIndex.getModelsList()).extracting(m -> m.getName()).containsExactlyInAnyOrder("iris-a",
          "iris-b", "iris-chat");
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
      artifact = files.filter(p -> Files.isRegularFile(p) && p.toString().contains("/objects/")).findFirst()
          .orElseThrow();
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
    try (Stream<Path> files = Files.walk(data.getParent())) {
      assertThat(files.filter(p -> p.getFileName().toString().equals("etc"))).isEmpty();
    }
  }
}
