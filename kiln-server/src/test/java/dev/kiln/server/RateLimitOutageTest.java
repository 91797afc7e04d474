package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The database that holds the shared rate limits goes away at run time (its PostgreSQL schema is renamed, so every
 * statement fails as with the database down). A limited key's requests cannot be leased from the counters, so they are
 * refused as the server being unavailable for now: 503 with {@code Retry-After} over HTTP, UNAVAILABLE over gRPC, which
 * clients and load balancers retry; not a 500. Once the database is back the next request is served. Needs PostgreSQL
 * (skipped without {@code KILN_TEST_POSTGRES_URL}, failed under CI without it).
 */
class RateLimitOutageTest extends GovernanceServerFixture {
  @Override
  boolean onPostgresql() {
    return true;
  }

  @Test
  void aLimitedKeyIsRefusedAsUnavailableWhileTheDatabaseIsDownAndServedOnceItIsBack() throws Exception {
    start(true);
    push("add_sub");
    // 30 a minute: leased one request at a time (a lease is at most 1/32 of the limit), so each asks the database.
    String body = "{\"name\":\"limited\",\"scopes\":[\"invoke:*\"],\"limits\":{\"requests_per_minute\":30}}";
    HttpResponse<String> created = call("POST", "/api/v1/keys", admin, body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String token = JSON.readTree(created.body()).get("token").asText();
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      assertThat(infer(token).statusCode()).isEqualTo(200);
      assertThat(grpc(ch, token)).isEqualTo(Status.Code.OK);

      try (AutoCloseable down = schema.outage()) {
        HttpResponse<String> refused = infer(token);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.body()).contains("unavailable").doesNotContain("counters").doesNotContain("SQL");
        assertThat(grpc(ch, token)).isEqualTo(Status.Code.UNAVAILABLE);
      }

      HttpResponse<String> back = infer(token);
      assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
      assertThat(grpc(ch, token)).isEqualTo(Status.Code.OK);
    } finally {
      ch.shutdownNow();
    }
  }

  private HttpResponse<String> infer(String token) throws Exception {
    return call("POST", "/v2/models/add_sub/infer", token, ADD_SUB);
  }

  private static Status.Code grpc(ManagedChannel ch, String token) {
    var tensor = ModelInferRequest.InferInputTensor.newBuilder().setDatatype("FP32").addShape(1).addShape(4);
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("add_sub")
            .addInputs(tensor.clone().setName("a"))
            .addInputs(tensor.clone().setName("b"))
            .addRawInputContents(ByteString.copyFrom(new byte[16]))
            .addRawInputContents(ByteString.copyFrom(new byte[16]))
            .build();
    try {
      authorized(GRPCInferenceServiceGrpc.newBlockingStub(ch), token).modelInfer(request);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }
}
