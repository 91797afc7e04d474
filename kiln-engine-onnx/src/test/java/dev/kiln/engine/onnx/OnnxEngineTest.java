package dev.kiln.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxEngineTest {
  private final OnnxEngine engine = new OnnxEngine();
  @TempDir Path dir;

  private ModelInstance load(String name, byte[] model) throws Exception {
    Path f = ExampleModels.write(dir, name, 1, model);
    return engine.load(new ModelArtifact(name, 1, f, EngineOptions.defaults()));
  }

  @Test
  void mlpOutputsMatchThePlainJavaReference() throws Exception {
    ExampleModels.Mlp mlp = ExampleModels.Mlp.random(784, 128, 10, 7);
    try (ModelInstance m = load("mlp", mlp.onnx())) {
      assertThat(m.signature().inputs()).containsExactly(new TensorSpec("input", DataType.FP32, new long[] {-1, 784}));
      assertThat(m.signature().outputs()).containsExactly(new TensorSpec("logits", DataType.FP32, new long[] {-1, 10}));
      float[] a = ExampleModels.Mlp.randomRow(784, 1);
      float[] b = ExampleModels.Mlp.randomRow(784, 2);
      float[] both = new float[784 * 2];
      System.arraycopy(a, 0, both, 0, 784);
      System.arraycopy(b, 0, both, 784, 784);
      Tensor out = m.run(Map.of("input", Tensor.ofFloats(new long[] {2, 784}, both)), Set.of("logits")).get("logits");
      assertThat(out.shape()).containsExactly(2, 10);
      float[] y = out.floats();
      float[] ya = mlp.predict(a);
      float[] yb = mlp.predict(b);
      for (int k = 0; k < 10; k++) {
        assertThat(y[k]).isCloseTo(ya[k], within(1e-4f));
        assertThat(y[10 + k]).isCloseTo(yb[k], within(1e-4f));
      }
    }
  }

  @Test
  void stringsPassThroughAnIdentityModel() throws Exception {
    try (ModelInstance m = load("id", ExampleModels.identity(DataType.BYTES))) {
      Tensor out =
          m.run(Map.of("input", Tensor.ofStrings(new long[] {1, 2}, "héllo", "")), Set.of("output")).get("output");
      assertThat(out.type()).isEqualTo(DataType.BYTES);
      assertThat(out.shape()).containsExactly(1, 2);
      assertThat(new String(out.elements().get(0), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("héllo");
      assertThat(out.elements().get(1)).isEmpty();
    }
  }

  @Test
  void declaredColumnNamesReachTheInputsSignatureAndAMalformedDeclarationIsIgnored() throws Exception {
    byte[] named = identityWithColumns("{\"input\": [\"sepal_length\", \"petal_width\"]}");
    try (ModelInstance m = load("named", named)) {
      assertThat(m.signature().input("input").orElseThrow().columns()).containsExactly("sepal_length", "petal_width");
      assertThat(m.signature().output("output").orElseThrow().columns()).isEmpty();
    }
    try (ModelInstance m = load("garbled", identityWithColumns("[not json"))) {
      assertThat(m.signature().input("input").orElseThrow().columns()).isEmpty();
    }
  }

  private static byte[] identityWithColumns(String declaration) {
    return new OnnxGraphBuilder("named")
        .input("input", DataType.FP32, -1, 2)
        .output("output", DataType.FP32, -1, 2)
        .node("Identity", List.of("input"), List.of("output"))
        .metadata("kiln.columns", declaration)
        .toBytes();
  }

  @Test
  void backgroundRowsReachTheInputsSignatureAndMalformedOrMisfittingOnesAreIgnored() throws Exception {
    try (ModelInstance m = load("bg", identityWith("kiln.background", "{\"input\": [[1, 2.5], [-3, 4]]}"))) {
      assertThat(m.signature().input("input").orElseThrow().background().rows())
          .isDeepEqualTo(new double[][] {{1, 2.5}, {-3, 4}});
      assertThat(m.signature().output("output").orElseThrow().background().isEmpty()).isTrue();
    }
    for (String bad :
        List.of(
            "[not json",
            "{\"input\": [[1, 2], [3]]}", // ragged
            "{\"input\": [[1, 2, 3]]}", // not the input's width
            "{\"input\": [[1, \"a\"]]}",
            "{\"input\": [null]}",
            "{\"input\": [" + "[1, 2],".repeat(100) + "[1, 2]]}")) { // 101 rows
      try (ModelInstance m = load("bad", identityWith("kiln.background", bad))) {
        assertThat(m.signature().input("input").orElseThrow().background().isEmpty()).as(bad).isTrue();
      }
    }
  }

  private static byte[] identityWith(String key, String value) {
    return new OnnxGraphBuilder("named")
        .input("input", DataType.FP32, -1, 2)
        .output("output", DataType.FP32, -1, 2)
        .node("Identity", List.of("input"), List.of("output"))
        .metadata(key, value)
        .toBytes();
  }

  @Test
  void fp16BytesRoundTripUnchanged() throws Exception {
    try (ModelInstance m = load("fp16", ExampleModels.identity(DataType.FP16))) {
      ByteBuffer b = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
      b.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f)).putShort(Float.floatToFloat16(0.25f));
      b.flip();
      Tensor out =
          m.run(Map.of("input", Tensor.of(DataType.FP16, new long[] {1, 3}, b)), Set.of("output")).get("output");
      ByteBuffer d = out.data();
      assertThat(Float.float16ToFloat(d.getShort(0))).isEqualTo(1.5f);
      assertThat(Float.float16ToFloat(d.getShort(2))).isEqualTo(-2f);
      assertThat(Float.float16ToFloat(d.getShort(4))).isEqualTo(0.25f);
    }
  }

  @Test
  void aCorruptFileFailsWithAReasonThatNamesNoPath() throws Exception {
    Path f = dir.resolve("bad/1/model.onnx");
    Files.createDirectories(f.getParent());
    Files.write(f, new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> engine.load(new ModelArtifact("bad", 1, f, EngineOptions.defaults())))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("not a valid ONNX model")
        .hasMessageNotContaining(dir.toString());
  }

  @Test
  void cudaRequestedOnTheCpuBuildFailsTheLoadWithAReason() throws Exception {
    Path f = ExampleModels.write(dir, "gpu", 1, ExampleModels.addSub());
    assertThatThrownBy(() -> engine.load(new ModelArtifact("gpu", 1, f, new EngineOptions(1, true, 0))))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("CUDA was requested");
  }

  /** add_sub with its {@code b} input replaced by an initializer, shaped by {@code tensor}. */
  static byte[] withInitializer(dev.kiln.onnx.proto.TensorProto tensor) throws Exception {
    var model = dev.kiln.onnx.proto.ModelProto.parseFrom(ExampleModels.addSub()).toBuilder();
    var graph = model.getGraphBuilder();
    graph.addInitializer(tensor.toBuilder().setName("b"));
    graph.removeInput(1);
    return model.build().toByteArray();
  }

  /** An FP32 initializer of {@code dims} with no data of its own, or with external data at {@code location}. */
  static dev.kiln.onnx.proto.TensorProto tensor(String location, long... dims) {
    var t = dev.kiln.onnx.proto.TensorProto.newBuilder().setDataType(1);
    for (long d : dims) {
      t.addDims(d);
    }
    if (location != null) { // external_data (13) and data_location = EXTERNAL (14): not in Kiln's proto subset
      var entry =
          dev.kiln.onnx.proto.StringStringEntryProto.newBuilder()
              .setKey("location")
              .setValue(location)
              .build()
              .toByteString();
      t.setUnknownFields(
          com.google.protobuf.UnknownFieldSet.newBuilder()
              .addField(13, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addLengthDelimited(entry).build())
              .addField(14, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build())
              .build());
    }
    return t.build();
  }

  @Test
  void hostileModelsFailWithAReasonKilnWroteNotOnnxRuntimesText() throws Exception {
    java.util.Map<String, byte[]> hostile = new java.util.LinkedHashMap<>();
    hostile.put("declared shape", withInitializer(tensor(null, 1L << 40, 4)));
    hostile.put("external data", withInitializer(tensor("../../../../../../etc/passwd", 1, 4)));
    hostile.put("does not parse", java.util.Arrays.copyOf(ExampleModels.addSub(), ExampleModels.addSub().length / 2));
    for (var e : hostile.entrySet()) {
      Path f = ExampleModels.write(dir, "evil", 1, e.getValue());
      assertThatThrownBy(() -> engine.load(new ModelArtifact("evil", 1, f, EngineOptions.defaults())))
          .as(e.getKey())
          .isExactlyInstanceOf(ModelLoadException.class)
          .hasMessageStartingWith("not a valid ONNX model: ")
          .hasMessageContaining(e.getKey())
          .hasMessageNotContaining(".cc:")
          .hasMessageNotContaining("/")
          .hasMessageNotContaining("onnxruntime");
    }
  }
}
