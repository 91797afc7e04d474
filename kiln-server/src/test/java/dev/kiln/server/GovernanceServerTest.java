package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.Scope;
import dev.kiln.http.Router;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keys, scopes, rate limits, quotas and usage, and the closed-by-default walk of every route and RPC, through a real
 * server over HTTP and gRPC.
 */
class GovernanceServerTest extends GovernanceServerFixture {
  /** A concrete path for a route's pattern; the test fails if a new route shape is not handled here. */
  static String example(Router.Route route) {
    String p =
        route
            .pattern()
            .pattern()
            .replaceAll("\\(\\?:[^()]*(\\([^()]*\\))?[^()]*\\)\\?", "")
            .replace("([0-9]{1,18})", "1")
            .replace("([0-9]{1,9})", "1")
            .replace("([0-9]+)", "1")
            .replace("([a-z2-7]{12})", "abcdefghijkl")
            .replace("(archive|unarchive)", "archive")
            .replaceAll("\\([^)]*\\)", "m")
            .replace("/?", "");
    assertThat(route.pattern().matcher(p).matches()).as("example %s for %s", p, route.pattern()).isTrue();
    return p;
  }

  /**
   * The only routes and RPCs served without a key: the health probes, the console's sign-in (whose body holds the key)
   * and the console's own files (they hold no data: what they show comes through the routes with keys). Pinned here,
   * not read from the routes' declarations, so a route wrongly declared open fails the walk below.
   */
  static final java.util.Set<String> OPEN_ROUTES =
      java.util.Set.of(
          "GET /v2/health/live",
          "GET /v2/health/ready",
          "POST /api/v1/session",
          "GET /console",
          "GET /console/",
          "GET /console/m");

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
          assertThat(callWithDefaultMessage(ch, method, key))
              .as(method.getFullMethodName() + " with key " + key)
              .isEqualTo(open ? Status.Code.OK : Status.Code.UNAUTHENTICATED);
        }
      }
      assertThat(
              io.grpc.health.v1.HealthGrpc.newBlockingStub(ch)
                  .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance())
                  .getStatus())
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
    ClientCall<Object, Object> call =
        channel.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS));
    try {
      if (m.getType() == MethodDescriptor.MethodType.UNARY) {
        ClientCalls.blockingUnaryCall(call, request);
      } else {
        java.util.concurrent.CompletableFuture<Status.Code> done = new java.util.concurrent.CompletableFuture<>();
        var requests =
            ClientCalls.asyncBidiStreamingCall(
                call,
                new io.grpc.stub.StreamObserver<Object>() {
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
    // Explaining runs the model: the same invoke scope decides (add_sub is in scope, so its answer is about the body).
    HttpResponse<String> explainDenied = call("POST", "/v2/models/other/explain", onlyAddSub, ADD_SUB);
    assertThat(explainDenied.statusCode()).isEqualTo(403);
    assertThat(explainDenied.body()).contains("may not invoke model 'other'");
    HttpResponse<String> explained = call("POST", "/v2/models/add_sub/explain", onlyAddSub, ADD_SUB);
    assertThat(explained.statusCode()).as(explained.body()).isEqualTo(400);
    assertThat(explained.body()).contains("exactly one input");
    assertThat(call("POST", "/api/v1/keys", onlyAddSub, "{}").statusCode()).isEqualTo(403);
    assertThat(callBytes("POST", "/api/v1/models/add_sub/versions", onlyAddSub, ExampleModels.addSub()).statusCode())
        .isEqualTo(403);
    assertThat(call("GET", "/v2/models", onlyAddSub, (String) null).statusCode()).isEqualTo(200);

    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      Metadata h = new Metadata();
      h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + onlyAddSub);
      var stub =
          GRPCInferenceServiceGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
      assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("add_sub").build()).getReady()).isTrue();
      StatusRuntimeException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
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
    String fresh =
        JSON.readTree(call("POST", "/api/v1/keys/" + rid + "/rotate", admin, "").body()).get("token").asText();
    assertThat(call("POST", "/v2/models/add_sub/infer", r, ADD_SUB).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/v2/models/add_sub/infer", fresh, ADD_SUB).statusCode()).isEqualTo(200);

    ApiKeys.Created expired =
        kiln.apiKeys()
            .orElseThrow()
            .create("expired", List.of(Scope.parse("invoke:*")), null, Map.of(), Instant.now().minusSeconds(1), "test");
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
    ApiKeys.Created limited =
        kiln.apiKeys()
            .orElseThrow()
            .create("limited", List.of(Scope.parse("invoke:*")), new Limits(3L, 5L, null), Map.of(), null, "test");
    for (int i = 0; i < 3; i++) {
      assertThat(call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> over = call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB);
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.body()).contains("3 requests per minute");
    assertThat(over.headers().firstValue("retry-after")).hasValue("50");
    stepped.advance(Duration.ofSeconds(49));
    assertThat(call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB).headers().firstValue("retry-after"))
        .hasValue("1");
    stepped.advance(Duration.ofSeconds(1)); // the next minute: a fresh window
    assertThat(call("POST", "/v2/models/add_sub/infer", limited.token(), ADD_SUB).statusCode()).isEqualTo(200);

    ApiKeys.Created daily =
        kiln.apiKeys()
            .orElseThrow()
            .create("daily", List.of(Scope.parse("invoke:*")), new Limits(null, 2L, null), Map.of(), null, "test");
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
    String threeRows =
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[3,4],"
            + "\"data\":[1,2,3,4,1,2,3,4,1,2,3,4]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[3,4],"
            + "\"data\":[1,1,1,1,1,1,1,1,1,1,1,1]}]}";
    HttpResponse<String> rest = call("POST", "/v2/models/add_sub/infer", client, threeRows);
    assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(2 * 4 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      var tensor = ModelInferRequest.InferInputTensor.newBuilder().setDatatype("FP32").addShape(2).addShape(4);
      ModelInferRequest twoRows =
          ModelInferRequest.newBuilder()
              .setModelName("add_sub")
              .addInputs(tensor.clone().setName("a"))
              .addInputs(tensor.clone().setName("b"))
              .addRawInputContents(com.google.protobuf.ByteString.copyFrom(raw.array()))
              .addRawInputContents(com.google.protobuf.ByteString.copyFrom(raw.array()))
              .build();
      assertThat(authorized(GRPCInferenceServiceGrpc.newBlockingStub(ch), client).modelInfer(twoRows).getOutputsCount())
          .isEqualTo(2);
    } finally {
      ch.shutdownNow();
    }
    JsonNode usage = JSON.readTree(call("GET", "/api/v1/usage", client, (String) null).body());
    assertThat(usage).hasSize(1);
    assertThat(usage.get(0).get("requests").asLong()).isEqualTo(2);
    assertThat(usage.get(0).get("rows").asLong()).isEqualTo(5);
  }

  @Test
  void languageModelCallsCountTokensAgainstTheKeysDailyTokenQuota() throws Exception {
    dev.kiln.engine.llama.TinyLlama.write(
        java.nio.file.Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 5);
    start(true);
    ApiKeys.Created k =
        kiln.apiKeys()
            .orElseThrow()
            .create("llm", List.of(Scope.parse("invoke:tiny")), new Limits(null, null, 20L), Map.of(), null, "test");
    String chat = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":4}";
    HttpResponse<String> first = call("POST", "/v1/chat/completions", k.token(), chat);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    int used = JSON.readTree(first.body()).at("/usage/total_tokens").asInt();
    assertThat(used).isGreaterThan(20); // the prompt's template alone is longer than the quota
    HttpResponse<String> second = call("POST", "/v1/chat/completions", k.token(), chat);
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(second.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(second.body()).contains("daily quota of 20 tokens");
    assertThat(second.headers().firstValue("retry-after").map(Long::parseLong))
        .hasValueSatisfying(s -> assertThat(s).isBetween(1L, 86_400L)); // until 00:00 UTC, when the quota resets
    JsonNode usage = JSON.readTree(call("GET", "/api/v1/usage?key=" + k.key().id(), admin, (String) null).body());
    assertThat(usage.get(0).get("tokens").asLong()).isEqualTo(used);
  }
}
