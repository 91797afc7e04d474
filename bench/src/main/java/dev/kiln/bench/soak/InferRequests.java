package dev.kiln.bench.soak;

import com.google.protobuf.ByteString;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One Open Inference Protocol request for an {@link ExampleModels.Mlp} (input {@code input}, FP32 {@code [rows,
 * width]}), encoded once in every form the soak sends: JSON body, binary-extension body, gRPC message, and the raw
 * HTTP/1.1 bytes a killed client writes to its socket.
 */
record InferRequests(String model, byte[] json, byte[] binary, int binaryHeaderLength, ModelInferRequest grpc) {
  static InferRequests of(String model, int rows, int width, long seed) {
    float[] x = new float[rows * width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(ExampleModels.Mlp.randomRow(width, seed + r), 0, x, r * width, width);
    }
    StringBuilder json =
        new StringBuilder(x.length * 12)
            .append("{\"inputs\":[{\"name\":\"input\",\"datatype\":")
            .append("\"FP32\",\"shape\":[")
            .append(rows)
            .append(',')
            .append(width)
            .append("],\"data\":[");
    for (int i = 0; i < x.length; i++) {
      json.append(i == 0 ? "" : ",").append(x[i]);
    }
    json.append("]}]}");
    byte[] header =
        ("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":["
                + rows
                + ","
                + width
                + "],\"parameters\":{\"binary_data_size\":"
                + x.length * Float.BYTES
                + "}}],"
                + "\"parameters\":{\"binary_data_output\":true}}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer binary = ByteBuffer.allocate(header.length + x.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    binary.put(header).asFloatBuffer().put(x);
    ByteBuffer raw = ByteBuffer.allocate(x.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(x);
    ModelInferRequest grpc =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("input")
                    .setDatatype("FP32")
                    .addShape(rows)
                    .addShape(width))
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .build();
    return new InferRequests(
        model, json.toString().getBytes(StandardCharsets.UTF_8), binary.array(), header.length, grpc);
  }

  String path() {
    return "/v2/models/" + model + "/infer";
  }

  /** Head of the JSON request as a raw HTTP/1.1 client writes it; the body follows. */
  byte[] rawJsonHead(int port) {
    return ("POST "
            + path()
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + json.length
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
