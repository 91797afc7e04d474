package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON of an Open Inference Protocol inference request on a streaming parser, keeping only what it uses:
 * names, datatypes, shapes, the binary-extension parameters, and each input's data decoded straight into its tensor
 * ({@link JsonTensorReader}). Unknown fields are skipped without being built, so the memory a request takes is its body
 * plus its tensors, whatever the JSON holds. An input whose {@code data} comes before its name, datatype or shape is
 * read on a second parser over the same bytes once those are known.
 */
final class InferRequestReader {
  /** Deepest shape accepted; ranks beyond this are no model's. */
  static final int MAX_RANK = 64;

  private final JsonFactory factory;
  private final ByteBuf text;
  private final ByteBuf binary;

  private InferRequestReader(JsonFactory factory, ByteBuf text, ByteBuf binary) {
    this.factory = factory;
    this.text = text;
    this.binary = binary;
  }

  /**
   * @param text the JSON part of the body
   * @param binary the binary data after it; inputs with {@code binary_data_size} consume it in order
   */
  static OipCodec.Decoded read(JsonFactory factory, ByteBuf text, ByteBuf binary) throws IOException {
    return new InferRequestReader(factory, text, binary).request();
  }

  private OipCodec.Decoded request() throws IOException {
    try (JsonParser p = factory.createParser((InputStream) new ByteBufInputStream(text.duplicate()))) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw KilnException.invalid("request body is empty");
      }
      if (t != JsonToken.START_OBJECT) {
        throw KilnException.invalid("request body must be a JSON object");
      }
      Map<String, Tensor> inputs = null;
      List<String> outputs = new ArrayList<>();
      Map<String, Boolean> binaryByOutput = new HashMap<>();
      boolean binaryDefault = false;
      String id = "";
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        t = p.nextToken();
        switch (field) {
          case "inputs" -> inputs = inputs(p, t);
          case "outputs" -> RequestedOutputs.read(p, t, outputs, binaryByOutput);
          case "parameters" -> binaryDefault = RequestedOutputs.booleanField(p, t, "binary_data_output", false);
          case "id" -> {
            id = t == JsonToken.VALUE_STRING ? p.getText() : "";
            p.skipChildren();
          }
          default -> p.skipChildren();
        }
      }
      if (inputs == null) {
        throw KilnException.invalid("request needs a non-empty 'inputs' array");
      }
      if (binary.isReadable()) {
        throw KilnException.invalid(binary.readableBytes() + " bytes of binary data are not claimed by any input");
      }
      return new OipCodec.Decoded(new InferenceRequest(id, inputs, outputs), binaryByOutput, binaryDefault);
    }
  }

  private Map<String, Tensor> inputs(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      throw KilnException.invalid("request needs a non-empty 'inputs' array");
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      Input in = input(p, t);
      if (tensors.containsKey(in.name)) {
        throw KilnException.invalid("input '" + in.name + "' given twice");
      }
      tensors.put(in.name, in.tensor());
    }
    if (tensors.isEmpty()) {
      throw KilnException.invalid("request needs a non-empty 'inputs' array");
    }
    return tensors;
  }

  /** One input as read so far; {@code dataAt} is where its data starts when it came before the rest. */
  private final class Input {
    String name;
    DataType type;
    long[] shape;
    long binarySize = -1;
    long dataAt = -1;
    Tensor tensor;

    boolean described() {
      return name != null && type != null && shape != null;
    }

    Tensor tensor() throws IOException {
      if (name == null) {
        throw KilnException.invalid("input needs a string 'name'");
      }
      if (type == null) {
        throw KilnException.invalid("input '" + name + "' needs a string 'datatype'");
      }
      if (shape == null) {
        throw KilnException.invalid("input '" + name + "' needs a 'shape' array");
      }
      if (binarySize >= 0) {
        if (binarySize > binary.readableBytes()) {
          throw KilnException.invalid(
              "input '"
                  + name
                  + "': binary_data_size "
                  + binarySize
                  + " runs past the end of the body ("
                  + binary.readableBytes()
                  + " bytes left)");
        }
        return BinaryTensors.decode(name, type, shape, binary.readSlice((int) binarySize));
      }
      if (tensor != null) {
        return tensor;
      }
      if (dataAt < 0) {
        throw KilnException.invalid("input '" + name + "' has neither 'data' nor parameters.binary_data_size");
      }
      try (JsonParser again = openAt(dataAt)) {
        again.nextToken();
        return data(again, dataAt);
      }
    }

    /**
     * @param base where {@code p}'s input starts in the text (its offsets are relative to that)
     */
    Tensor data(JsonParser p, long base) throws IOException {
      long at = base + p.currentTokenLocation().getByteOffset();
      return new JsonTensorReader(name, type, shape).read(p, () -> openAt(at), text.readableBytes(), true);
    }
  }

  private Input input(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      throw KilnException.invalid("input needs a string 'name'");
    }
    Input in = new Input();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      t = p.nextToken();
      switch (field) {
        case "name" -> in.name = string(p, t, "input needs a string 'name'");
        case "datatype" ->
            in.type = DataType.require(string(p, t, "input '" + label(in) + "' needs a string " + "'datatype'"));
        case "shape" -> in.shape = shape(p, t, label(in));
        case "parameters" -> in.binarySize = binarySize(p, t, label(in));
        case "data" -> {
          if (in.described() && in.binarySize < 0) {
            in.tensor = in.data(p, 0);
          } else {
            in.dataAt = p.currentTokenLocation().getByteOffset();
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    if (in.binarySize >= 0) {
      in.tensor = null; // the binary data wins, as in Triton
    }
    return in;
  }

  private static String label(Input in) {
    return in.name == null ? "?" : in.name;
  }

  static String string(JsonParser p, JsonToken t, String error) throws IOException {
    if (t != JsonToken.VALUE_STRING || p.getText().isEmpty()) {
      throw KilnException.invalid(error);
    }
    return p.getText();
  }

  private static long[] shape(JsonParser p, JsonToken t, String input) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      throw KilnException.invalid("input '" + input + "' needs a 'shape' array");
    }
    long[] dims = new long[4];
    int rank = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || p.getLongValue() < 0) {
        throw KilnException.invalid("input '" + input + "': shape dimensions must be non-negative integers");
      }
      if (rank == MAX_RANK) {
        throw KilnException.invalid("input '" + input + "': shape has more than " + MAX_RANK + " dimensions");
      }
      if (rank == dims.length) {
        dims = Arrays.copyOf(dims, rank * 2);
      }
      dims[rank++] = p.getLongValue();
    }
    return Arrays.copyOf(dims, rank);
  }

  private static long binarySize(JsonParser p, JsonToken t, String input) throws IOException {
    long size = -1;
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      return size;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      t = p.nextToken();
      if (field.equals("binary_data_size")) {
        if (t != JsonToken.VALUE_NUMBER_INT
            || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            || p.getLongValue() < 0) {
          throw KilnException.invalid("input '" + input + "': binary_data_size must be a non-negative integer");
        }
        size = p.getLongValue();
      } else {
        p.skipChildren();
      }
    }
    return size;
  }

  private JsonParser openAt(long offset) throws IOException {
    int at = Math.toIntExact(offset);
    return factory.createParser(
        (InputStream) new ByteBufInputStream(text.slice(text.readerIndex() + at, text.readableBytes() - at)));
  }
}
