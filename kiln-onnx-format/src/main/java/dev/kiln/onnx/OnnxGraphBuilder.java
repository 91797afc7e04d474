package dev.kiln.onnx;

import com.google.protobuf.ByteString;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.proto.AttributeProto;
import dev.kiln.onnx.proto.GraphProto;
import dev.kiln.onnx.proto.ModelProto;
import dev.kiln.onnx.proto.NodeProto;
import dev.kiln.onnx.proto.OperatorSetIdProto;
import dev.kiln.onnx.proto.StringStringEntryProto;
import dev.kiln.onnx.proto.TensorProto;
import dev.kiln.onnx.proto.TensorShapeProto;
import dev.kiln.onnx.proto.TypeProto;
import dev.kiln.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an ONNX model (IR 8, default opset 13) from standard operators. Kiln makes its example and test models with it
 * rather than shipping binary files, and training will export through it.
 */
public final class OnnxGraphBuilder {
  private static final long IR_VERSION = 8;
  private static final long OPSET = 13;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Map<String, Long> opsets = new LinkedHashMap<>(Map.of("", OPSET));
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private int nodes;
  private int names;

  public OnnxGraphBuilder(String name) {
    graph.setName(name);
  }

  /** Declares a graph input; {@code -1} dimensions become the symbolic dimension {@code N}. */
  public OnnxGraphBuilder input(String name, DataType type, long... shape) {
    graph.addInput(valueInfo(name, type, shape));
    return this;
  }

  public OnnxGraphBuilder output(String name, DataType type, long... shape) {
    graph.addOutput(valueInfo(name, type, shape));
    return this;
  }

  /** A constant FP32 tensor stored in the model (weights, biases). */
  public OnnxGraphBuilder initializer(String name, long[] dims, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .setRawData(ByteString.copyFrom(raw.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return this;
  }

  /** A constant INT64 tensor (shapes, indices). */
  public OnnxGraphBuilder initializerInt64(String name, long[] dims, long[] values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
    for (long v : values) {
      t.addInt64Data(v);
    }
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return this;
  }

  /** A constant STRING tensor. */
  public OnnxGraphBuilder initializerString(String name, long[] dims, List<String> values) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.STRING_VALUE);
    for (String v : values) {
      t.addStringData(ByteString.copyFrom(v, StandardCharsets.UTF_8));
    }
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return this;
  }

  /** Imports an operator set beyond the default domain, e.g. {@code ai.onnx.ml} 2 or {@code com.microsoft} 1. */
  public OnnxGraphBuilder opset(String domain, long version) {
    opsets.put(domain, version);
    return this;
  }

  /** A model metadata property (ONNX {@code metadata_props}), e.g. lineage. */
  public OnnxGraphBuilder metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** A fresh name for an intermediate value, unique in this graph. */
  public String fresh(String hint) {
    return hint + "__" + names++;
  }

  /** Adds an operator from another domain (which must be imported with {@link #opset}). */
  public OnnxGraphBuilder node(
      String domain, String op, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {
    if (!opsets.containsKey(domain)) {
      throw new IllegalStateException("operator set " + domain + " is not imported");
    }
    node(op, inputs, outputs, attributes);
    graph.getNodeBuilder(graph.getNodeCount() - 1).setDomain(domain);
    return this;
  }

  /**
   * Adds an operator. Attribute values may be {@code Long}/{@code Integer} (INT), {@code Float} (FLOAT), {@code long[]}
   * (INTS), {@code float[]} (FLOATS), {@code String} (STRING) or {@code String[]} (STRINGS).
   */
  public OnnxGraphBuilder node(String op, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {
    NodeProto.Builder n =
        NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes++).addAllInput(inputs).addAllOutput(outputs);
    attributes.forEach((k, v) -> n.addAttribute(attribute(k, v)));
    graph.addNode(n);
    return this;
  }

  public OnnxGraphBuilder node(String op, List<String> inputs, List<String> outputs) {
    return node(op, inputs, outputs, Map.of());
  }

  public byte[] toBytes() {
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("kiln").setGraph(graph);
    opsets.forEach((d, v) -> m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
    metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build().toByteArray();
  }

  public Path write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, toBytes());
  }

  private static AttributeProto attribute(String name, Object v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    switch (v) {
      case Long l -> a.setType(AttributeProto.AttributeType.INT).setI(l);
      case Integer i -> a.setType(AttributeProto.AttributeType.INT).setI(i);
      case Float f -> a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
      case long[] ls -> {
        a.setType(AttributeProto.AttributeType.INTS);
        for (long l : ls) {
          a.addInts(l);
        }
      }
      case float[] fs -> {
        a.setType(AttributeProto.AttributeType.FLOATS);
        for (float f : fs) {
          a.addFloats(f);
        }
      }
      case String[] ss -> {
        a.setType(AttributeProto.AttributeType.STRINGS);
        for (String s : ss) {
          a.addStrings(ByteString.copyFrom(s, StandardCharsets.UTF_8));
        }
      }
      case String s ->
          a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom(s, StandardCharsets.UTF_8));
      default -> throw new IllegalArgumentException("unsupported attribute type: " + v.getClass());
    }
    return a.build();
  }

  private static ValueInfoProto valueInfo(String name, DataType type, long[] shape) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : shape) {
      s.addDim(
          d < 0
              ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
              : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(onnxType(type)).setShape(s)))
        .build();
  }

  static int onnxType(DataType t) {
    return switch (t) {
      case FP32 -> TensorProto.DataType.FLOAT_VALUE;
      case UINT8 -> TensorProto.DataType.UINT8_VALUE;
      case INT8 -> TensorProto.DataType.INT8_VALUE;
      case UINT16 -> TensorProto.DataType.UINT16_VALUE;
      case INT16 -> TensorProto.DataType.INT16_VALUE;
      case INT32 -> TensorProto.DataType.INT32_VALUE;
      case INT64 -> TensorProto.DataType.INT64_VALUE;
      case BYTES -> TensorProto.DataType.STRING_VALUE;
      case BOOL -> TensorProto.DataType.BOOL_VALUE;
      case FP16 -> TensorProto.DataType.FLOAT16_VALUE;
      case FP64 -> TensorProto.DataType.DOUBLE_VALUE;
      case UINT32 -> TensorProto.DataType.UINT32_VALUE;
      case UINT64 -> TensorProto.DataType.UINT64_VALUE;
      case BF16 -> TensorProto.DataType.BFLOAT16_VALUE;
    };
  }
}
