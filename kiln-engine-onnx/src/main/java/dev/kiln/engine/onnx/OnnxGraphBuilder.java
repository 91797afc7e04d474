package dev.kiln.engine.onnx;

import com.google.protobuf.ByteString;
import dev.kiln.core.tensor.DataType;
import dev.kiln.engine.onnx.proto.AttributeProto;
import dev.kiln.engine.onnx.proto.GraphProto;
import dev.kiln.engine.onnx.proto.ModelProto;
import dev.kiln.engine.onnx.proto.NodeProto;
import dev.kiln.engine.onnx.proto.OperatorSetIdProto;
import dev.kiln.engine.onnx.proto.TensorProto;
import dev.kiln.engine.onnx.proto.TensorShapeProto;
import dev.kiln.engine.onnx.proto.TypeProto;
import dev.kiln.engine.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes an ONNX model (IR 8, default opset 13) from standard operators. Kiln makes its example and test models
 * with it rather than shipping binary files, and training will export through it.
 */
public final class OnnxGraphBuilder {
  private static final long IR_VERSION = 8;
  private static final long OPSET = 13;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private int nodes;

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
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(raw.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return this;
  }

  /**
   * Adds an operator. Attribute values may be {@code Long}/{@code Integer} (INT), {@code Float} (FLOAT),
   * {@code long[]} (INTS) or {@code String} (STRING).
   */
  public OnnxGraphBuilder node(String op, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes++)
        .addAllInput(inputs).addAllOutput(outputs);
    attributes.forEach((k, v) -> n.addAttribute(attribute(k, v)));
    graph.addNode(n);
    return this;
  }

  public OnnxGraphBuilder node(String op, List<String> inputs, List<String> outputs) {
    return node(op, inputs, outputs, Map.of());
  }

  public byte[] toBytes() {
    return ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("kiln")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph)
        .build()
        .toByteArray();
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
      case String s -> a.setType(AttributeProto.AttributeType.STRING)
          .setS(ByteString.copyFrom(s, StandardCharsets.UTF_8));
      default -> throw new IllegalArgumentException("unsupported attribute type: " + v.getClass());
    }
    return a.build();
  }

  private static ValueInfoProto valueInfo(String name, DataType type, long[] shape) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : shape) {
      s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
          : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(onnxType(type)).setShape(s)))
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
