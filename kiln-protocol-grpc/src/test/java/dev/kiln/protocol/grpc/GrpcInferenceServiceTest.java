package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.Requests.floats;
import static dev.kiln.protocol.grpc.Requests.input;
import static dev.kiln.protocol.grpc.Requests.strings;
import static dev.kiln.protocol.grpc.StatusAssert.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.DataType;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import dev.kiln.protocol.grpc.proto.ModelConfig;
import dev.kiln.protocol.grpc.proto.ModelConfigRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelMetadataRequest;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
import dev.kiln.protocol.grpc.proto.ModelStatistics;
import dev.kiln.protocol.grpc.proto.ModelStatisticsRequest;
import dev.kiln.protocol.grpc.proto.ServerLiveRequest;
import dev.kiln.protocol.grpc.proto.ServerMetadataRequest;
import dev.kiln.protocol.grpc.proto.ServerMetadataResponse;
import dev.kiln.protocol.grpc.proto.ServerReadyRequest;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every unary RPC over a real Netty listener and a TCP client, wired exactly as production wires it. */
class GrpcInferenceServiceTest {
  @TempDir static Path root;
  private static TcpKiln kiln;
  private static InferenceCore core;
  private static GRPCInferenceServiceBlockingStub stub;

  @BeforeAll
  static void start() {
    kiln = TcpKiln.start(root);
    core = kiln.core();
    stub = GRPCInferenceServiceGrpc.newBlockingStub(kiln.channel());
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  @Test
  void mlpWithRawInputsAnswersRawOutputsMatchingThePlainJavaReference() {
    float[] a = ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 1);
    float[] b = ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 2);
    float[] both = new float[2 * TestCore.MLP_INPUTS];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    ModelInferResponse r = stub.modelInfer(Requests.mlpRaw("42", both, 2));
    assertThat(r.getModelName()).isEqualTo("mlp");
    assertThat(r.getModelVersion()).isEqualTo("1");
    assertThat(r.getId()).isEqualTo("42");
    assertThat(r.getOutputs(0).getName()).isEqualTo("logits");
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("FP32");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(2L, (long) TestCore.MLP_OUTPUTS);
    assertThat(r.getOutputs(0).hasContents()).isFalse();
    float[] y = floats(r.getRawOutputContents(0));
    float[] ya = TestCore.MLP.predict(a);
    float[] yb = TestCore.MLP.predict(b);
    for (int k = 0; k < TestCore.MLP_OUTPUTS; k++) {
      assertThat(y[k]).isCloseTo(ya[k], within(1e-4f));
      assertThat(y[TestCore.MLP_OUTPUTS + k]).isCloseTo(yb[k], within(1e-4f));
    }
  }

  @Test
  void mlpWithTypedFp32ContentsAnswersTypedContents() {
    float[] x = ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 3);
    ModelInferResponse r = stub.modelInfer(Requests.mlpTyped(x));
    assertThat(r.getRawOutputContentsCount()).isZero();
    float[] expected = TestCore.MLP.predict(x);
    for (int k = 0; k < TestCore.MLP_OUTPUTS; k++) {
      assertThat(r.getOutputs(0).getContents().getFp32Contents(k)).isCloseTo(expected[k], within(1e-4f));
    }
  }

  @Test
  void addSubReturnsOnlyTheRequestedOutput() {
    ModelInferResponse r =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("add_sub")
                .addInputs(input("a", "FP32", 1, 4))
                .addInputs(input("b", "FP32", 1, 4))
                .addRawInputContents(floats(5, 6, 7, 8))
                .addRawInputContents(floats(1, 2, 3, 4))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("diff"))
                .build());
    assertThat(r.getOutputsList()).extracting(o -> o.getName()).containsExactly("diff");
    assertThat(floats(r.getRawOutputContents(0))).containsExactly(4, 4, 4, 4);
  }

  @Test
  void bytesTensorsRoundTripThroughRawContents() {
    ModelInferResponse r =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("identity_bytes")
                .addInputs(input("input", "BYTES", 1, 3))
                .addRawInputContents(strings("héllo", "", "wörld"))
                .build());
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("BYTES");
    assertThat(r.getRawOutputContents(0)).isEqualTo(strings("héllo", "", "wörld"));
  }

  @Test
  void bytesTensorsRoundTripThroughBytesContents() {
    InferTensorContents c =
        InferTensorContents.newBuilder()
            .addBytesContents(ByteString.copyFromUtf8("a b"))
            .addBytesContents(ByteString.copyFromUtf8("ç"))
            .build();
    ModelInferResponse r =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("identity_bytes")
                .addInputs(input("input", "BYTES", 2, 1).setContents(c))
                .build());
    assertThat(r.getOutputs(0).getContents()).isEqualTo(c);
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(2L, 1L);
  }

  @Test
  void fp16TensorsRoundTripUnchangedThroughRawContents() {
    ByteBuffer h = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
    h.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f)).putShort(Float.floatToFloat16(0.25f));
    ByteString raw = ByteString.copyFrom(h.array());
    ModelInferResponse r =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("identity_fp16")
                .addInputs(input("input", "FP16", 1, 3))
                .addRawInputContents(raw)
                .build());
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("FP16");
    assertThat(r.getRawOutputContents(0)).isEqualTo(raw);
  }

  @Test
  void negativeInt8ValuesRoundTripThroughTypedContents() {
    InferTensorContents c =
        InferTensorContents.newBuilder().addIntContents(-128).addIntContents(-1).addIntContents(127).build();
    ModelInferResponse r =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("identity_int8")
                .addInputs(input("input", "INT8", 1, 3).setContents(c))
                .build());
    assertThat(r.getOutputs(0).getContents()).isEqualTo(c);
  }

  @Test
  void serverIsLiveAndReadyAndDescribesItself() {
    assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    ServerMetadataResponse m = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertThat(m.getName()).isEqualTo("kiln");
    assertThat(m.getVersion()).isNotBlank().doesNotContain("${").isNotEqualTo("unknown");
    assertThat(m.getExtensionsList()).contains("model_repository", "statistics", "model_configuration");
  }

  @Test
  void modelMetadataListsVersionsPlatformAndSignature() {
    ModelMetadataResponse m = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("mlp").build());
    assertThat(m.getName()).isEqualTo("mlp");
    assertThat(m.getVersionsList()).containsExactly("1");
    assertThat(m.getPlatform()).isEqualTo("onnxruntime_onnx");
    assertThat(m.getInputs(0).getName()).isEqualTo("input");
    assertThat(m.getInputs(0).getDatatype()).isEqualTo("FP32");
    assertThat(m.getInputs(0).getShapeList()).containsExactly(-1L, (long) TestCore.MLP_INPUTS);
    assertThat(m.getOutputs(0).getShapeList()).containsExactly(-1L, (long) TestCore.MLP_OUTPUTS);
  }

  @Test
  void modelReadyIsTrueForALoadedModelAndNotFoundForAnUnknownOne() {
    assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("mlp").build()).getReady()).isTrue();
    assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("mlp").setVersion("1").build()).getReady())
        .isTrue();
    // One rule with REST (404): an unknown model or version is NOT_FOUND, not "false" (issue 11).
    assertStatus(
        () -> stub.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()), Status.Code.NOT_FOUND, "nope");
    assertStatus(
        () -> stub.modelReady(ModelReadyRequest.newBuilder().setName("mlp").setVersion("9").build()),
        Status.Code.NOT_FOUND,
        "9");
  }

  @Test
  void modelConfigDescribesTheModelInTritonsShape() {
    ModelConfig c = stub.modelConfig(ModelConfigRequest.newBuilder().setName("add_sub").build()).getConfig();
    assertThat(c.getName()).isEqualTo("add_sub");
    assertThat(c.getPlatform()).isEqualTo("onnxruntime_onnx");
    assertThat(c.getMaxBatchSize()).isZero();
    assertThat(c.getInputList()).extracting(i -> i.getName()).containsExactly("a", "b");
    assertThat(c.getInput(0).getDataType()).isEqualTo(DataType.TYPE_FP32);
    assertThat(c.getInput(0).getDimsList()).containsExactly(-1L, 4L);
    assertThat(c.getOutputList()).extracting(o -> o.getName()).containsExactly("sum", "diff");
    assertStatus(
        () -> stub.modelConfig(ModelConfigRequest.newBuilder().setName("add_sub").setVersion("3").build()),
        Status.Code.NOT_FOUND,
        "add_sub");
  }

  @Test
  void batchingModelReportsMaxBatchSizeAndDimsWithoutTheBatchDimension() {
    ModelConfig c = stub.modelConfig(ModelConfigRequest.newBuilder().setName("mlp_batched").build()).getConfig();
    assertThat(c.getMaxBatchSize()).isEqualTo(8);
    assertThat(c.getInput(0).getDimsList()).containsExactly((long) TestCore.MLP_INPUTS);
    assertThat(c.getOutput(0).getDimsList()).containsExactly((long) TestCore.MLP_OUTPUTS);
  }

  @Test
  void concurrentRequestsBatchedTogetherEachGetTheirOwnRows() throws Exception {
    GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub async =
        GRPCInferenceServiceGrpc.newFutureStub(kiln.channel());
    List<ListenableFuture<ModelInferResponse>> pending = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      float[] x = ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 100 + i);
      pending.add(async.modelInfer(Requests.mlpRaw("r" + i, x, 1).toBuilder().setModelName("mlp_batched").build()));
    }
    for (int i = 0; i < 16; i++) {
      ModelInferResponse r = pending.get(i).get(30, TimeUnit.SECONDS);
      assertThat(r.getId()).isEqualTo("r" + i);
      float[] expected = TestCore.MLP.predict(ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 100 + i));
      float[] y = floats(r.getRawOutputContents(0));
      for (int k = 0; k < TestCore.MLP_OUTPUTS; k++) {
        assertThat(y[k]).isCloseTo(expected[k], within(1e-4f));
      }
    }
    ModelStatistics stats =
        stub.modelStatistics(ModelStatisticsRequest.newBuilder().setName("mlp_batched").build()).getModelStats(0);
    assertThat(stats.getInferenceCount()).as("rows").isEqualTo(16);
    assertThat(stats.getExecutionCount()).as("executions for 16 one-row requests, 8 rows each").isEqualTo(2);
  }

  @Test
  void statisticsCountEachSuccessfulRequest() {
    ModelStatisticsRequest q = ModelStatisticsRequest.newBuilder().setName("mlp").build();
    ModelStatistics before = stub.modelStatistics(q).getModelStats(0);
    stub.modelInfer(Requests.mlpRaw("", new float[3 * TestCore.MLP_INPUTS], 3));
    ModelStatistics after = stub.modelStatistics(q).getModelStats(0);
    assertThat(after.getName()).isEqualTo("mlp");
    assertThat(after.getVersion()).isEqualTo("1");
    assertThat(after.getInferenceCount()).isEqualTo(before.getInferenceCount() + 3);
    assertThat(after.getExecutionCount()).isGreaterThan(before.getExecutionCount());
    assertThat(after.getInferenceStats().getSuccess().getCount())
        .isEqualTo(before.getInferenceStats().getSuccess().getCount() + 1);
    assertThat(after.getInferenceStats().getComputeInfer().getNs())
        .isGreaterThan(before.getInferenceStats().getComputeInfer().getNs());
    assertThat(after.getLastInference()).isPositive();
    assertThat(stub.modelStatistics(ModelStatisticsRequest.getDefaultInstance()).getModelStatsList())
        .extracting(s -> s.getName())
        .contains("mlp", "add_sub");
  }

  @Test
  void healthCheckSaysServingForTheServerAndTheInferenceService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(kiln.channel());
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(
            health
                .check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void wrongDatatypeIsAnInvalidArgumentNamingTheExpectedOne() {
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("mlp")
                    .addInputs(input("input", "INT32", 1, TestCore.MLP_INPUTS))
                    .addRawInputContents(ByteString.copyFrom(new byte[4 * TestCore.MLP_INPUTS]))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "input 'input'",
        "INT32",
        "expected: FP32");
  }

  @Test
  void wrongShapeIsAnInvalidArgumentNamingTheExpectedOne() {
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("mlp")
                    .addInputs(input("input", "FP32", 1, 15))
                    .addRawInputContents(floats(new float[15]))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "shape [1, 15]",
        "expected: [*, 16]");
  }

  @Test
  void rawEntryCountMismatchIsAnInvalidArgument() {
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("add_sub")
                    .addInputs(input("a", "FP32", 1, 4))
                    .addInputs(input("b", "FP32", 1, 4))
                    .addRawInputContents(floats(1, 2, 3, 4))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "raw_input_contents has 1 entries for 2 inputs");
  }

  @Test
  void rawByteLengthMismatchIsAnInvalidArgument() {
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("mlp")
                    .addInputs(input("input", "FP32", 1, TestCore.MLP_INPUTS))
                    .addRawInputContents(floats(1, 2, 3))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "has 12 bytes",
        "expected: 64");
  }

  @Test
  void bytesLengthPrefixPastTheEndIsAnInvalidArgument() {
    ByteString truncated = strings("hello").substring(0, 7);
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("identity_bytes")
                    .addInputs(input("input", "BYTES", 1, 1))
                    .addRawInputContents(truncated)
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "BYTES element 0",
        "says 5 bytes but only 3 remain");
  }

  @Test
  void overflowingShapeIsAnInvalidArgument() {
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("mlp")
                    .addInputs(input("input", "FP32", 16, (1L << 60) + 2))
                    .addRawInputContents(floats(1))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "too large");
  }

  @Test
  void unknownModelAndUnknownVersionAreNotFound() {
    assertStatus(
        () -> stub.modelInfer(Requests.mlpRaw("", new float[16], 1).toBuilder().setModelName("nope").build()),
        Status.Code.NOT_FOUND,
        "nope");
    assertStatus(
        () -> stub.modelInfer(Requests.mlpRaw("", new float[16], 1).toBuilder().setModelVersion("9").build()),
        Status.Code.NOT_FOUND,
        "version 9");
    assertStatus(
        () -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()),
        Status.Code.NOT_FOUND,
        "nope");
  }
}
