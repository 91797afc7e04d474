package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.Requests.floats;
import static dev.kiln.protocol.grpc.Requests.input;
import static dev.kiln.protocol.grpc.Requests.strings;
import static dev.kiln.protocol.grpc.StatusAssert.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelMetadataRequest;
import dev.kiln.protocol.grpc.proto.ModelMetadataResponse;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that names its columns ({@link ExampleModels#tabular()}) called over TCP with grpc-java's stubs, one input
 * per column as a dataframe client sends them: the same answer as the positional request, and named errors.
 */
class NamedColumnsGrpcTest {
  @TempDir static Path root;
  private static TcpKiln kiln;
  private static GRPCInferenceServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    ExampleModels.write(root, "tabular", 1, ExampleModels.tabular());
    kiln = TcpKiln.start(root);
    stub = GRPCInferenceServiceGrpc.newBlockingStub(kiln.channel());
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  @Test
  void columnsAsRawInputsAnswerAsThePositionalRequest() {
    ModelInferResponse positional =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("tabular")
                .addInputs(input("features", "FP32", 2, 3))
                .addInputs(input("categories", "BYTES", 2, 1))
                .addRawInputContents(floats(40, 3.5f, 1.5f, 7, 0, 2))
                .addRawInputContents(strings("Oslo", "Bergen"))
                .build());
    // tritonclient's order is the dataframe's, not the model's; an integer column arrives as INT64.
    ModelInferResponse named =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("tabular")
                .addInputs(input("city", "BYTES", 2))
                .addInputs(input("height", "FP32", 2, 1))
                .addInputs(input("age", "INT64", 2))
                .addInputs(input("income", "FP64", 2))
                .addRawInputContents(strings("Oslo", "Bergen"))
                .addRawInputContents(floats(1.5f, 2))
                .addRawInputContents(longs(40, 7))
                .addRawInputContents(doubles(3.5, 0))
                .build());
    assertThat(floats(positional.getRawOutputContents(0))).containsExactly(225f, 207f);
    assertThat(named.getOutputsList()).isEqualTo(positional.getOutputsList());
    assertThat(named.getRawOutputContentsList()).isEqualTo(positional.getRawOutputContentsList());
  }

  @Test
  void columnsAsTypedContentsAnswerTheSame() {
    ModelInferResponse r =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("tabular")
                .addInputs(typed("age", "FP32", InferTensorContents.newBuilder().addFp32Contents(40)))
                .addInputs(typed("income", "FP32", InferTensorContents.newBuilder().addFp32Contents(3.5f)))
                .addInputs(typed("height", "INT32", InferTensorContents.newBuilder().addIntContents(2)))
                .addInputs(
                    typed(
                        "city",
                        "BYTES",
                        InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("Oslo"))))
                .build());
    assertThat(r.getOutputs(0).getContents().getFp32ContentsList()).containsExactly(275f);
    assertThat(r.getOutputs(1).getContents().getBytesContents(0).toStringUtf8()).isEqualTo("Oslo");
  }

  @Test
  void metadataNamesEachInputsColumnsAsAJsonArrayParameterAsRestDoes() throws Exception {
    ModelMetadataResponse m = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("tabular").build());
    Map<String, String> columns = new LinkedHashMap<>();
    m.getInputsList().forEach(t -> columns.put(t.getName(), t.getParametersOrThrow("columns").getStringParam()));
    assertThat(columns)
        .containsExactly(
            Map.entry("features", "[\"age\",\"income\",\"height\"]"), Map.entry("categories", "[\"city\"]"));
    assertThat(new ObjectMapper().readValue(columns.get("features"), String[].class))
        .containsExactly("age", "income", "height");
    assertThat(m.getOutputsList()).allSatisfy(t -> assertThat(t.getParametersMap()).isEmpty());
    ModelMetadataResponse plain = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("mlp").build());
    assertThat(plain.getInputs(0).getParametersMap()).isEmpty();
  }

  @Test
  void missingUnknownAndUnevenColumnsAreInvalidArgumentsNamingThem() {
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("tabular")
                    .addInputs(input("age", "FP32", 1))
                    .addInputs(input("colour", "FP32", 1))
                    .addRawInputContents(floats(1))
                    .addRawInputContents(floats(1))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "missing column(s) 'income', 'height', 'city'",
        "unknown column(s) 'colour'");
    assertStatus(
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("tabular")
                    .addInputs(input("age", "FP32", 2))
                    .addInputs(input("income", "FP32", 1))
                    .addInputs(input("height", "FP32", 2))
                    .addInputs(input("city", "BYTES", 2))
                    .addRawInputContents(floats(1, 2))
                    .addRawInputContents(floats(1))
                    .addRawInputContents(floats(1, 2))
                    .addRawInputContents(strings("a", "b"))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "column 'income' has 1 rows; column 'age' has 2");
  }

  private static ModelInferRequest.InferInputTensor.Builder typed(
      String name, String datatype, InferTensorContents.Builder contents) {
    return input(name, datatype, 1).setContents(contents);
  }

  private static ByteString longs(long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return ByteString.copyFrom(b);
  }

  private static ByteString doubles(double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(values);
    return ByteString.copyFrom(b);
  }
}
