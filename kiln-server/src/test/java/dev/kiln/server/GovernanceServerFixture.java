package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server with governance on, over HTTP and gRPC, for the governance tests: start and stop, keys, pushes and
 * calls with or without a key. {@link GovernanceOnPostgresqlTest} runs each subclass again on PostgreSQL.
 */
abstract class GovernanceServerFixture {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ADD_SUB =
      "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[1,2,3,4]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,1,1,1]}]}";

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path repo;
  @TempDir Path data;

  /** Where the server keeps its plaintext working copies (a disk folder here, so that tests can look). */
  @TempDir Path scratch;

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

  /** Set for the PostgreSQL runs ({@link #onPostgresql}): a fresh schema per test. */
  PostgresSchema schema;

  /** Whether the tests run on PostgreSQL; {@link GovernanceOnPostgresqlTest}'s nested classes say yes. */
  boolean onPostgresql() {
    return false;
  }

  @BeforeEach
  void createSchema() {
    if (onPostgresql()) {
      schema = PostgresSchema.create();
    }
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close(); // the server's final flush needs the schema
    }
    if (schema != null) {
      schema.close();
      schema = null;
    }
  }

  Kiln start(boolean auth) throws Exception {
    if (masterKey == null) {
      masterKey = data.resolve("master.key");
      MasterKeys.generate(masterKey);
    }
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withTraining(TrainingConfig.defaults(data))
                .withGovernance(
                    database(
                        GovernanceConfig.defaults(data).withAuth(auth).withMasterKey(masterKey).withScratch(scratch))),
            clock);
    if (kiln.bootstrapToken().isPresent()) {
      admin = kiln.bootstrapToken().get();
    }
    return kiln;
  }

  /** The sub-folder {@code name} of the one running server's scratch folder under {@code parent}. */
  static Path scratchFolder(Path parent, String name) throws IOException {
    try (Stream<Path> folders = Files.list(parent)) {
      return folders
          .filter(p -> p.getFileName().toString().startsWith("kiln-scratch-"))
          .findFirst()
          .orElseThrow()
          .resolve(name);
    }
  }

  /** The governance database: SQLite in {@code data}, or the test's PostgreSQL schema ({@link #onPostgresql}). */
  GovernanceConfig database(GovernanceConfig g) {
    return schema == null ? g : schema.apply(g);
  }

  HttpResponse<String> callBytes(String method, String path, String key, byte[] body) throws Exception {
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
    return callBytes(method, path, key, body == null ? null : body.getBytes());
  }

  String key(String name, String... scopes) throws Exception {
    StringBuilder s = new StringBuilder();
    for (String x : scopes) {
      s.append(s.isEmpty() ? "" : ",").append('"').append(x).append('"');
    }
    HttpResponse<String> r = call("POST", "/api/v1/keys", admin, "{\"name\":\"" + name + "\",\"scopes\":[" + s + "]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("token").asText();
  }

  void push(String model) throws Exception {
    HttpResponse<String> r = callBytes("POST", "/api/v1/models/" + model + "/versions", admin, ExampleModels.addSub());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub authorized(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub, String key) {
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
  }
}
