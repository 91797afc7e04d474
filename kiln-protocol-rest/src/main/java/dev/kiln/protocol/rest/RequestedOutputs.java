package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.core.error.KilnException;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The part of an inference request that says what comes back, read for {@link InferRequestReader}: the {@code outputs}
 * array (names, each output's {@code binary_data}) and the request's {@code binary_data_output} default. The
 * classification extension is refused here.
 */
final class RequestedOutputs {
  private RequestedOutputs() {}

  static void read(JsonParser p, JsonToken t, List<String> names, Map<String, Boolean> binaryByOutput)
      throws IOException {
    if (t != JsonToken.START_ARRAY) {
      throw KilnException.invalid("'outputs' must be an array");
    }
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        throw KilnException.invalid("output needs a string 'name'");
      }
      String name = null;
      Boolean binaryData = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        t = p.nextToken();
        if (field.equals("name")) {
          name = InferRequestReader.string(p, t, "output needs a string 'name'");
        } else if (field.equals("parameters") && t == JsonToken.START_OBJECT) {
          binaryData = outputParameters(p);
        } else {
          p.skipChildren();
        }
      }
      if (name == null) {
        throw KilnException.invalid("output needs a string 'name'");
      }
      if (binaryData != null) {
        binaryByOutput.put(name, binaryData);
      }
      names.add(name);
    }
  }

  /** An output's {@code binary_data}, or null when not given; refuses the classification extension. */
  private static Boolean outputParameters(JsonParser p) throws IOException {
    Boolean binaryData = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals("classification")) {
        throw KilnException.unsupported("the classification extension is not supported");
      }
      if (field.equals("binary_data")) {
        binaryData = t == JsonToken.VALUE_TRUE;
      }
      p.skipChildren();
    }
    return binaryData;
  }

  /** A boolean member of an object (skipping the rest), or {@code otherwise}. */
  static boolean booleanField(JsonParser p, JsonToken t, String name, boolean otherwise) throws IOException {
    boolean v = otherwise;
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      return v;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      t = p.nextToken();
      if (field.equals(name)) {
        v = t == JsonToken.VALUE_TRUE;
      }
      p.skipChildren();
    }
    return v;
  }
}
