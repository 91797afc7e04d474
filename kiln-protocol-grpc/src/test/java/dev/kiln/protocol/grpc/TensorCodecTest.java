package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.Requests.floats;
import static dev.kiln.protocol.grpc.Requests.input;
import static dev.kiln.protocol.grpc.Requests.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.InferenceResponse;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.protocol.grpc.proto.InferParameter;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
  private static ModelInferRequest.Builder request() {
    return ModelInferRequest.newBuilder().setModelName("m");
  }

  private static void assertInvalid(ThrowingCallable call, String... fragments) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .message()
        .contains(fragments);
  }

  @Test
  void rawFp32InputBecomesATensorWithTheSameValues() {
    InferenceRequest r =
        TensorCodec.decode(
            request()
                .setId("7")
                .addInputs(input("x", "FP32", 2, 2))
                .addRawInputContents(floats(1, -2, 3.5f, 0))
                .build());
    assertThat(r.id()).isEqualTo("7");
    Tensor t = r.inputs().get("x");
    assertThat(t.shape()).containsExactly(2, 2);
    assertThat(t.floats()).containsExactly(1, -2, 3.5f, 0);
  }

  @Test
  void rawBytesElementsAreSplitAtTheirLengthPrefixes() {
    Tensor t =
        TensorCodec.decode(
                request().addInputs(input("s", "BYTES", 1, 3)).addRawInputContents(strings("héllo", "", "x")).build())
            .inputs()
            .get("s");
    assertThat(t.elements()).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly("héllo", "", "x");
  }

  @Test
  void typedContentsOfEveryFixedTypeRoundTripThroughTheTensor() {
    Map<String, InferTensorContents> sent = new LinkedHashMap<>();
    sent.put("BOOL", InferTensorContents.newBuilder().addBoolContents(true).addBoolContents(false).build());
    sent.put("INT8", InferTensorContents.newBuilder().addIntContents(-128).addIntContents(127).build());
    sent.put("INT16", InferTensorContents.newBuilder().addIntContents(-32768).addIntContents(5).build());
    sent.put("INT32", InferTensorContents.newBuilder().addIntContents(Integer.MIN_VALUE).addIntContents(1).build());
    sent.put("INT64", InferTensorContents.newBuilder().addInt64Contents(Long.MIN_VALUE).addInt64Contents(2).build());
    sent.put("UINT8", InferTensorContents.newBuilder().addUintContents(255).addUintContents(0).build());
    sent.put("UINT16", InferTensorContents.newBuilder().addUintContents(65535).addUintContents(1).build());
    sent.put("UINT32", InferTensorContents.newBuilder().addUintContents(-1).addUintContents(3).build());
    sent.put("UINT64", InferTensorContents.newBuilder().addUint64Contents(-1L).addUint64Contents(4).build());
    sent.put("FP32", InferTensorContents.newBuilder().addFp32Contents(1.5f).addFp32Contents(-0f).build());
    sent.put("FP64", InferTensorContents.newBuilder().addFp64Contents(Math.PI).addFp64Contents(1e300).build());
    sent.put(
        "BYTES",
        InferTensorContents.newBuilder()
            .addBytesContents(ByteString.copyFromUtf8("a"))
            .addBytesContents(ByteString.EMPTY)
            .build());
    for (Map.Entry<String, InferTensorContents> e : sent.entrySet()) {
      Tensor t =
          TensorCodec.decode(request().addInputs(input("x", e.getKey(), 2).setContents(e.getValue())).build())
              .inputs()
              .get("x");
      assertThat(t.type()).isEqualTo(DataType.valueOf(e.getKey()));
      ModelInferResponse out = TensorCodec.encode(new InferenceResponse("m", 1, "", Map.of("y", t)), false);
      assertThat(out.getOutputs(0).getContents()).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(out.getOutputs(0).getDatatype()).isEqualTo(e.getKey());
    }
  }

  @Test
  void rawRequestsAreAnsweredRawWithBytesLengthPrefixes() {
    Tensor s = Tensor.ofStrings(new long[] {2}, "ab", "");
    Tensor f = Tensor.ofFloats(new long[] {1, 2}, 1, 2);
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    outputs.put("s", s);
    outputs.put("f", f);
    ModelInferResponse r = TensorCodec.encode(new InferenceResponse("m", 3, "id", outputs), true);
    assertThat(r.getModelVersion()).isEqualTo("3");
    assertThat(r.getId()).isEqualTo("id");
    assertThat(r.getRawOutputContents(0)).isEqualTo(strings("ab", ""));
    assertThat(r.getRawOutputContents(1)).isEqualTo(floats(1, 2));
    assertThat(r.getOutputs(1).getShapeList()).containsExactly(1L, 2L);
    assertThat(r.getOutputs(0).hasContents()).isFalse();
  }

  @Test
  void fp16OutputsForceARawResponseBecauseTheyHaveNoTypedField() {
    Tensor h =
        Tensor.of(
            DataType.FP16,
            new long[] {1},
            ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, Float.floatToFloat16(1.5f)));
    ModelInferResponse r = TensorCodec.encode(new InferenceResponse("m", 1, "", Map.of("h", h)), false);
    assertThat(r.getRawOutputContentsCount()).isEqualTo(1);
    assertThat(r.getRawOutputContents(0).size()).isEqualTo(2);
  }

  @Test
  void requestedOutputNamesArePassedToTheCore() {
    InferenceRequest r =
        TensorCodec.decode(
            request()
                .addInputs(input("x", "FP32", 1))
                .addRawInputContents(floats(1))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("diff"))
                .build());
    assertThat(r.outputs()).containsExactly("diff");
  }

  @Test
  void rawEntryCountDifferentFromInputCountIsRejected() {
    assertInvalid(
        () ->
            TensorCodec.decode(
                request()
                    .addInputs(input("a", "FP32", 1))
                    .addInputs(input("b", "FP32", 1))
                    .addRawInputContents(floats(1))
                    .build()),
        "raw_input_contents has 1 entries for 2 inputs");
  }

  @Test
  void rawAndTypedContentsCannotBeMixed() {
    assertInvalid(
        () ->
            TensorCodec.decode(
                request()
                    .addInputs(input("a", "FP32", 1).setContents(InferTensorContents.newBuilder().addFp32Contents(1)))
                    .addRawInputContents(floats(1))
                    .build()),
        "input 'a'",
        "cannot be mixed");
  }

  @Test
  void rawByteCountMustMatchShapeTimesElementSize() {
    assertInvalid(
        () ->
            TensorCodec.decode(request().addInputs(input("a", "FP32", 1, 3)).addRawInputContents(floats(1, 2)).build()),
        "input 'a'",
        "has 8 bytes",
        "expected: 12");
  }

  @Test
  void overflowingShapeIsRejectedBeforeAnythingIsAllocated() {
    long huge = (1L << 60) + 2;
    assertInvalid(
        () ->
            TensorCodec.decode(
                request().addInputs(input("a", "FP32", 16, huge)).addRawInputContents(floats(1)).build()),
        "input 'a'",
        "too large");
    assertInvalid(
        () ->
            TensorCodec.decode(
                request().addInputs(input("a", "BYTES", 16, huge)).addRawInputContents(strings("x")).build()),
        "input 'a'",
        "too large");
  }

  @Test
  void bytesLengthPrefixRunningPastTheEndIsRejected() {
    ByteString declaresTen =
        ByteString.copyFrom(ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(10).array());
    assertInvalid(
        () -> TensorCodec.decode(request().addInputs(input("s", "BYTES", 1)).addRawInputContents(declaresTen).build()),
        "input 's'",
        "BYTES element 0",
        "says 10 bytes but only 2 remain");
    ByteString cutPrefix = strings("abcd").concat(ByteString.copyFrom(new byte[] {1, 0}));
    assertInvalid(
        () -> TensorCodec.decode(request().addInputs(input("s", "BYTES", 2)).addRawInputContents(cutPrefix).build()),
        "BYTES element 1",
        "length prefix runs past the end");
    assertInvalid(
        () ->
            TensorCodec.decode(
                request().addInputs(input("s", "BYTES", 1)).addRawInputContents(strings("ab", "c")).build()),
        "bytes left after the 1 BYTES elements");
  }

  @Test
  void typedValueCountMustMatchTheShape() {
    assertInvalid(
        () ->
            TensorCodec.decode(
                request()
                    .addInputs(
                        input("a", "FP32", 2, 2).setContents(InferTensorContents.newBuilder().addFp32Contents(1)))
                    .build()),
        "input 'a'",
        "fp32_contents has 1 values (expected: 4");
  }

  @Test
  void typedContentsInTheWrongFieldAreRejected() {
    assertInvalid(
        () ->
            TensorCodec.decode(
                request()
                    .addInputs(input("a", "FP32", 1).setContents(InferTensorContents.newBuilder().addIntContents(1)))
                    .build()),
        "datatype FP32 takes fp32_contents, got int_contents");
  }

  @Test
  void typedValuesOutsideANarrowTypeAreRejectedNotTruncated() {
    assertInvalid(
        () ->
            TensorCodec.decode(
                request()
                    .addInputs(input("a", "INT8", 1).setContents(InferTensorContents.newBuilder().addIntContents(300)))
                    .build()),
        "value 300",
        "does not fit INT8");
  }

  @Test
  void fp16CanOnlyBeSentRaw() {
    assertInvalid(
        () -> TensorCodec.decode(request().addInputs(input("h", "FP16", 1)).build()), "FP16 has no typed contents");
  }

  @Test
  void negativeDimensionUnknownDatatypeAndDuplicateNamesAreRejected() {
    assertInvalid(
        () -> TensorCodec.decode(request().addInputs(input("a", "FP32", 1, -4)).addRawInputContents(floats(1)).build()),
        "input 'a'",
        "negative dimension");
    assertInvalid(
        () -> TensorCodec.decode(request().addInputs(input("a", "FLOAT", 1)).addRawInputContents(floats(1)).build()),
        "input 'a'",
        "unknown datatype 'FLOAT'");
    assertInvalid(
        () -> TensorCodec.decode(request().addInputs(input("a", "fp32", 1)).addRawInputContents(floats(1)).build()),
        "input 'a'",
        "unknown datatype 'fp32'",
        "spelled",
        "FP32");
    assertInvalid(
        () ->
            TensorCodec.decode(
                request()
                    .addInputs(input("a", "FP32", 1))
                    .addInputs(input("a", "FP32", 1))
                    .addRawInputContents(floats(1))
                    .addRawInputContents(floats(2))
                    .build()),
        "input 'a' appears twice");
  }

  @Test
  void sharedMemoryAndClassificationAreReportedAsUnsupported() {
    InferParameter region = InferParameter.newBuilder().setStringParam("r0").build();
    assertThatThrownBy(() ->
            TensorCodec.decode(
                request().addInputs(input("a", "FP32", 1).putParameters("shared_memory_region", region)).build()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNSUPPORTED));
    assertThatThrownBy(() ->
            TensorCodec.decode(
                request()
                    .addInputs(input("a", "FP32", 1))
                    .addRawInputContents(floats(1))
                    .addOutputs(
                        InferRequestedOutputTensor.newBuilder()
                            .setName("y")
                            .putParameters("classification", InferParameter.newBuilder().setInt64Param(3).build()))
                    .build()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNSUPPORTED));
  }
}
