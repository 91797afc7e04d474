package dev.kiln.protocol.grpc;

import com.google.protobuf.ByteString;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferInputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;

/** Builds requests the way tritonclient does (raw little-endian contents) or with typed contents. */
final class Requests {
  private Requests() {}

  static InferInputTensor.Builder input(String name, String datatype, long... shape) {
    InferInputTensor.Builder b = InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  static ByteString floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return ByteString.copyFrom(b);
  }

  static float[] floats(ByteString raw) {
    FloatBuffer fb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] out = new float[fb.remaining()];
    fb.get(out);
    return out;
  }

  /** tritonclient's serialize_byte_tensor: each element as a 4-byte little-endian length and its bytes. */
  static ByteString strings(String... values) {
    ByteString.Output out = ByteString.newOutput();
    for (String v : values) {
      byte[] b = v.getBytes(StandardCharsets.UTF_8);
      ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length);
      out.write(len.array(), 0, 4);
      out.write(b, 0, b.length);
    }
    return out.toByteString();
  }

  /** An MLP request of {@code rows} rows, sent raw. */
  static ModelInferRequest mlpRaw(String id, float[] rows, int rowCount) {
    return ModelInferRequest.newBuilder()
        .setModelName("mlp")
        .setId(id)
        .addInputs(input("input", "FP32", rowCount, TestCore.MLP_INPUTS))
        .addRawInputContents(floats(rows))
        .build();
  }

  static ModelInferRequest mlpTyped(float[] row) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : row) {
      c.addFp32Contents(v);
    }
    return ModelInferRequest.newBuilder()
        .setModelName("mlp")
        .addInputs(input("input", "FP32", 1, TestCore.MLP_INPUTS).setContents(c))
        .build();
  }
}
