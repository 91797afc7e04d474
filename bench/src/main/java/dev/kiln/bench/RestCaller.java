package dev.kiln.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Open Inference Protocol REST calls over one keep-alive {@link HttpConnection}: JSON tensors, or Triton's binary
 * tensor extension with binary output. Every request (line, headers, body) is encoded once per input row before the
 * run, so the measured loop only writes bytes and reads the answer; an API key is one more header line in those bytes,
 * so it costs the client nothing per call.
 */
final class RestCaller implements Caller {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int OUTPUT_BYTES = Workload.OUTPUTS * Float.BYTES;

  private final String host;
  private final int port;
  private final ByteBuffer[] requests;
  private final boolean binary;
  private HttpConnection connection;

  private RestCaller(String host, int port, ByteBuffer[] requests, boolean binary) {
    this.host = host;
    this.port = port;
    this.requests = requests;
    this.binary = binary;
  }

  /** Callers of {@code model}'s infer endpoint; one connection each. */
  static Source source(String host, int port, String model, Workload workload, boolean binary) {
    return source(host, port, model, workload, binary, null);
  }

  /**
   * @param apiKey sent as {@code Authorization: Bearer}; null sends no such header
   */
  static Source source(String host, int port, String model, Workload workload, boolean binary, String apiKey) {
    float[][] rows = workload.rows();
    String auth = apiKey == null ? "" : "Authorization: Bearer " + apiKey + "\r\n";
    ByteBuffer[] requests = new ByteBuffer[rows.length];
    for (int i = 0; i < rows.length; i++) {
      requests[i] = binary ? binaryRequest(host, model, rows[i], auth) : jsonRequest(host, model, rows[i], auth);
    }
    return () -> new RestCaller(host, port, requests, binary);
  }

  @Override
  public float[] call(int row, boolean decode) throws IOException {
    if (connection == null) {
      connection = new HttpConnection(host, port);
    }
    try {
      connection.exchange(requests[row]);
    } catch (IOException e) {
      connection.close(); // the next call reconnects
      connection = null;
      throw e;
    }
    ByteBuffer body = connection.body();
    if (connection.status() != 200) {
      throw new IOException("HTTP " + connection.status() + ": " + text(body, 200));
    }
    return binary ? binaryLogits(body, decode) : jsonLogits(body, decode);
  }

  private float[] binaryLogits(ByteBuffer body, boolean decode) throws IOException {
    int header = connection.inferenceHeaderLength();
    if (header < 0 || body.remaining() != header + OUTPUT_BYTES) {
      throw new IOException(
          "binary answer of "
              + body.remaining()
              + " bytes with a JSON header of "
              + header
              + " (expected: header + "
              + OUTPUT_BYTES
              + " bytes of logits)");
    }
    if (!decode) {
      return null;
    }
    float[] y = new float[Workload.OUTPUTS];
    body.position(header).asFloatBuffer().get(y);
    return y;
  }

  private float[] jsonLogits(ByteBuffer body, boolean decode) throws IOException {
    if (!body.hasRemaining()) {
      throw new IOException("empty JSON answer");
    }
    if (!decode) {
      return null;
    }
    JsonNode data = JSON.readTree(text(body, Integer.MAX_VALUE)).at("/outputs/0/data");
    float[] y = new float[data.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) data.get(i).asDouble();
    }
    return y;
  }

  private static String text(ByteBuffer body, int max) {
    byte[] b = new byte[Math.min(body.remaining(), max)];
    body.duplicate().get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static ByteBuffer jsonRequest(String host, String model, float[] row, String auth) {
    StringBuilder body =
        new StringBuilder(row.length * 12)
            .append("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,")
            .append(row.length)
            .append("],\"data\":[");
    for (int i = 0; i < row.length; i++) {
      body.append(i == 0 ? "" : ",").append(row[i]); // Float.toString: shortest text that reads back exactly
    }
    byte[] json = body.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    return request(host, model, "application/json", auth, json);
  }

  private static ByteBuffer binaryRequest(String host, String model, float[] row, String auth) {
    byte[] header =
        ("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,"
                + row.length
                + "],\"parameters\":{\"binary_data_size\":"
                + row.length * Float.BYTES
                + "}}],"
                + "\"parameters\":{\"binary_data_output\":true}}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(header.length + row.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    body.put(header).asFloatBuffer().put(row);
    return request(
        host,
        model,
        "application/octet-stream",
        auth + "Inference-Header-Content-Length: " + header.length + "\r\n",
        body.array());
  }

  /** The whole request in a read-only direct buffer: written straight to the socket, with no copy per call. */
  private static ByteBuffer request(String host, String model, String contentType, String extraHeaders, byte[] body) {
    String head =
        "POST /v2/models/"
            + model
            + "/infer HTTP/1.1\r\n"
            + "Host: "
            + host
            + "\r\n"
            + "Content-Type: "
            + contentType
            + "\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + extraHeaders
            + "\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocateDirect(h.length + body.length).put(h).put(body).flip().asReadOnlyBuffer();
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.close();
    }
  }
}
