package dev.kiln.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.Background;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One ONNX Runtime session. Fixed-size tensors cross into ORT as direct buffers, so large inputs copy once. */
final class OnnxInstance implements ModelInstance {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelSignature signature;

  OnnxInstance(OrtEnvironment env, OrtSession session) throws OrtException {
    this.env = env;
    this.session = session;
    this.signature =
        new ModelSignature(
            specs(session.getInputInfo(), ColumnNames.of(session), BackgroundRows.of(session)),
            specs(session.getOutputInfo(), Map.of(), Map.of()));
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputs) {
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        feed.put(e.getKey(), toOrt(e.getValue()));
      }
      try (OrtSession.Result result = session.run(feed, outputs)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new KilnException(ErrorKind.INTERNAL, "model execution failed", e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // Closing frees native memory; a failure here leaves nothing a caller could act on.
    }
  }

  private OnnxTensor toOrt(Tensor t) throws OrtException {
    long[] shape = t.shape();
    if (t.type() == DataType.BYTES) {
      List<byte[]> el = t.elements();
      String[] s = new String[el.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = new String(el.get(i), StandardCharsets.UTF_8);
      }
      return OnnxTensor.createTensor(env, s, shape);
    }
    ByteBuffer src = t.data();
    ByteBuffer direct;
    if (src.isDirect()) {
      direct = src; // ORT wraps a direct buffer in place and never writes to inputs, so no copy is needed
    } else {
      direct = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
      direct.put(src).flip();
    }
    return OnnxTensor.createTensor(env, direct, shape, javaType(t.type()));
  }

  private static Tensor fromOrt(OnnxTensor o) throws OrtException {
    TensorInfo info = o.getInfo();
    long[] shape = info.getShape();
    DataType type = dataType(info);
    if (type == DataType.BYTES) {
      List<byte[]> flat = new ArrayList<>();
      flattenStrings(o.getValue(), flat);
      return Tensor.ofBytes(shape, flat.toArray(new byte[0][]));
    }
    ByteBuffer b = o.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return Tensor.of(type, shape, b);
  }

  private static void flattenStrings(Object value, List<byte[]> out) {
    if (value instanceof String s) {
      out.add(s.getBytes(StandardCharsets.UTF_8));
    } else if (value != null && value.getClass().isArray()) {
      for (int i = 0; i < Array.getLength(value); i++) {
        flattenStrings(Array.get(value, i), out);
      }
    }
  }

  private static List<TensorSpec> specs(
      Map<String, NodeInfo> infos, Map<String, List<String>> columns, Map<String, Background> backgrounds) {
    List<TensorSpec> out = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
      if (!(e.getValue().getInfo() instanceof TensorInfo ti)) {
        throw new ModelLoadException(
            "'" + e.getKey() + "' is not a tensor; only tensor inputs and outputs are " + "supported");
      }
      long[] shape = ti.getShape();
      Background rows = backgrounds.getOrDefault(e.getKey(), Background.NONE);
      // Rows that are not one example of this input each (a stale or foreign property) are not its background.
      boolean fits = shape.length == 2 && (shape[1] < 0 || shape[1] == rows.width());
      out.add(
          new TensorSpec(
              e.getKey(),
              dataType(ti),
              shape,
              columns.getOrDefault(e.getKey(), List.of()),
              fits ? rows : Background.NONE));
    }
    return out;
  }

  private static DataType dataType(TensorInfo ti) {
    return switch (ti.onnxType) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
      default ->
          throw new ModelLoadException(
              "element type " + ti.onnxType + " is not supported by the ONNX Runtime Java engine");
    };
  }

  private static OnnxJavaType javaType(DataType t) {
    return switch (t) {
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case FP16 -> OnnxJavaType.FLOAT16;
      case BF16 -> OnnxJavaType.BFLOAT16;
      case INT8 -> OnnxJavaType.INT8;
      case INT16 -> OnnxJavaType.INT16;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      case UINT8 -> OnnxJavaType.UINT8;
      case BOOL -> OnnxJavaType.BOOL;
      default -> throw KilnException.invalid("datatype " + t + " is not supported by the ONNX engine");
    };
  }
}
