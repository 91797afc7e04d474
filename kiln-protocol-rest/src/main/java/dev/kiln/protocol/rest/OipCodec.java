package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.InferenceResponse;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.http.JsonErrors;
import dev.kiln.http.RestResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Open Inference Protocol inference bodies: JSON requests and responses, and Triton's binary tensor data extension
 * ({@code Inference-Header-Content-Length}, {@code binary_data_size}, {@code binary_data}, {@code binary_data_output},
 * and the raw binary request whose header length is 0).
 */
final class OipCodec {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final ObjectMapper json;
  private final JsonFactory factory;
  private final int maxJsonDepth;

  OipCodec(int maxJsonDepth, int maxBytes) {
    this.maxJsonDepth = maxJsonDepth;
    // Number parsing dominates JSON inference (BENCHMARKS.md); Jackson's fast float parser and writer cut it.
    this.factory =
        JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxJsonDepth).maxDocumentLength(maxBytes).build())
            .build();
    this.json = new ObjectMapper(factory);
  }

  /** A decoded request and how each output is to be returned. */
  record Decoded(InferenceRequest request, Map<String, Boolean> binaryByOutput, boolean binaryByDefault) {
    boolean binary(String output) {
      return binaryByOutput.getOrDefault(output, binaryByDefault);
    }
  }

  /**
   * @param signature the model's signature; asked for only by a raw binary request
   */
  Decoded decode(ByteBuf body, String headerLength, Supplier<ModelSignature> signature) {
    int total = body.readableBytes();
    int jsonLength = total;
    if (headerLength != null) {
      long v;
      try {
        v = Long.parseLong(headerLength.trim());
      } catch (NumberFormatException e) {
        throw KilnException.invalid(HEADER_LENGTH + " is not a number");
      }
      if (v < 0 || v > total) {
        throw KilnException.invalid(HEADER_LENGTH + " " + v + " is outside the body of " + total + " bytes");
      }
      jsonLength = (int) v;
      if (jsonLength == 0) {
        return rawBinary(body, signature.get());
      }
    }
    ByteBuf text = body.slice(body.readerIndex(), jsonLength);
    ByteBuf binary = body.slice(body.readerIndex() + jsonLength, total - jsonLength);
    try {
      return InferRequestReader.read(factory, text, binary);
    } catch (IOException e) {
      throw JsonErrors.invalid(e, maxJsonDepth); // the bytes are in memory: any failure is in them
    }
  }

  private Decoded rawBinary(ByteBuf body, ModelSignature signature) {
    if (signature.inputs().size() != 1) {
      throw KilnException.invalid(
          "a raw binary request (" + HEADER_LENGTH + ": 0) needs a model with exactly " + "one input");
    }
    TensorSpec spec = signature.inputs().get(0);
    long[] shape = BinaryTensors.concreteShapeFor(spec.name(), spec.datatype(), spec.shape(), body);
    Tensor t = BinaryTensors.decode(spec.name(), spec.datatype(), shape, body);
    return new Decoded(new InferenceRequest("", Map.of(spec.name(), t), List.of()), Map.of(), true);
  }

  /** Encodes the response; binary outputs follow the JSON header, wrapped rather than copied. */
  RestResponse encode(InferenceResponse response, Decoded decoded) {
    ByteBuf header = Unpooled.buffer(256);
    List<ByteBuf> parts = new ArrayList<>();
    try (JsonGenerator g = factory.createGenerator((OutputStream) new ByteBufOutputStream(header))) {
      g.writeStartObject();
      g.writeStringField("model_name", response.model());
      g.writeStringField("model_version", Long.toString(response.version()));
      if (!response.id().isEmpty()) {
        g.writeStringField("id", response.id());
      }
      g.writeArrayFieldStart("outputs");
      for (Map.Entry<String, Tensor> e : response.outputs().entrySet()) {
        Tensor t = e.getValue();
        g.writeStartObject();
        g.writeStringField("name", e.getKey());
        g.writeStringField("datatype", t.type().name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        if (decoded.binary(e.getKey())) {
          ByteBuf part = BinaryTensors.encode(t);
          parts.add(part);
          g.writeObjectFieldStart("parameters");
          g.writeNumberField("binary_data_size", part.readableBytes());
          g.writeEndObject();
        } else {
          g.writeFieldName("data");
          JsonTensors.encode(g, t);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (parts.isEmpty()) {
      return new RestResponse(HttpResponseStatus.OK, "application/json", header, Map.of());
    }
    int headerBytes = header.readableBytes();
    CompositeByteBuf body = Unpooled.compositeBuffer(parts.size() + 1).addComponent(true, header);
    parts.forEach(p -> body.addComponent(true, p));
    return new RestResponse(
        HttpResponseStatus.OK, "application/octet-stream", body, Map.of(HEADER_LENGTH, Integer.toString(headerBytes)));
  }

  JsonNode parse(ByteBuf bytes) {
    try {
      JsonNode n = json.readTree((InputStream) new ByteBufInputStream(bytes.duplicate()));
      if (n == null || n.isMissingNode()) {
        throw KilnException.invalid("request body is empty");
      }
      return n;
    } catch (IOException e) {
      throw JsonErrors.invalid(e, maxJsonDepth); // the bytes are in memory: any failure is in them
    }
  }

  ObjectMapper mapper() {
    return json;
  }
}
