package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.Requests.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.serving.InferenceCore;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelStreamInferResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelStreamInfer over a real Netty listener and a TCP client: ordering, errors and pipelining on the wire. */
class ModelStreamInferTest {
  private static final int BIG = 4096;

  @TempDir static Path root;
  private static TcpKiln kiln;
  private static InferenceCore core;
  private static GRPCInferenceServiceStub stub;

  @BeforeAll
  static void start() {
    kiln = TcpKiln.start(root);
    core = kiln.core();
    stub = GRPCInferenceServiceGrpc.newStub(kiln.channel());
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  /** Collects what the server sends until it ends the call. */
  private static final class Collector implements StreamObserver<ModelStreamInferResponse> {
    final List<ModelStreamInferResponse> responses = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    @Override
    public void onNext(ModelStreamInferResponse r) {
      responses.add(r);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }
  }

  /** A request that takes a while (many rows), one that fails at once in decoding, and a quick good one. */
  private static List<ModelInferRequest> slowBadQuick() {
    float[] big = new float[BIG * TestCore.MLP_INPUTS];
    float[] row = ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 5);
    System.arraycopy(row, 0, big, 0, row.length);
    ModelInferRequest bad = Requests.mlpRaw("bad", row, 1).toBuilder().addRawInputContents(floats(1)).build();
    return List.of(Requests.mlpRaw("slow", big, BIG), bad, Requests.mlpRaw("quick", row, 1));
  }

  @Test
  void responsesArriveInRequestOrderAndAFailureDoesNotCloseTheStream() throws Exception {
    Collector c = new Collector();
    StreamObserver<ModelInferRequest> requests = stub.modelStreamInfer(c);
    slowBadQuick().forEach(requests::onNext);
    requests.onCompleted();

    assertThat(c.end.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(c.responses).extracting(r -> r.getInferResponse().getId()).containsExactly("slow", "bad", "quick");
    assertThat(c.responses.get(0).getErrorMessage()).isEmpty();
    assertThat(c.responses.get(1).getErrorMessage()).contains("raw_input_contents has 2 entries for 1 inputs");
    assertThat(c.responses.get(1).getInferResponse().getModelName()).isEqualTo("mlp");
    assertThat(c.responses.get(2).getErrorMessage()).isEmpty();
    float[] expected = TestCore.MLP.predict(ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 5));
    float[] first = floats(c.responses.get(0).getInferResponse().getRawOutputContents(0));
    float[] quick = floats(c.responses.get(2).getInferResponse().getRawOutputContents(0));
    assertThat(first).hasSize(BIG * TestCore.MLP_OUTPUTS);
    for (int k = 0; k < TestCore.MLP_OUTPUTS; k++) {
      assertThat(first[k]).isCloseTo(expected[k], within(1e-4f));
      assertThat(quick[k]).isCloseTo(expected[k], within(1e-4f));
    }
  }

  @Test
  void tritonGrpcErrorHeaderClosesTheStreamWithTheStatus() throws Exception {
    Metadata headers = new Metadata();
    headers.put(StreamErrorHeader.HEADER, "true");
    Collector c = new Collector();
    StreamObserver<ModelInferRequest> requests =
        stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).modelStreamInfer(c);
    slowBadQuick().forEach(requests::onNext);

    Status end = c.end.get(30, TimeUnit.SECONDS);
    assertThat(end.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(end.getDescription()).contains("raw_input_contents has 2 entries for 1 inputs");
    assertThat(c.responses).extracting(r -> r.getInferResponse().getId()).containsExactly("slow");
    requests.onCompleted();
  }

  @Test
  void manyPipelinedRequestsAreAllAnsweredInOrder() throws Exception {
    Collector c = new Collector();
    StreamObserver<ModelInferRequest> requests = stub.modelStreamInfer(c);
    for (int i = 0; i < 50; i++) {
      requests.onNext(Requests.mlpRaw(Integer.toString(i), new float[(i % 5 + 1) * TestCore.MLP_INPUTS], i % 5 + 1));
    }
    requests.onCompleted();
    assertThat(c.end.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(c.responses)
        .extracting(r -> r.getInferResponse().getId())
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(Integer::toString).toList());
  }
}
