package dev.kiln.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.io.IOException;

/**
 * The JSON style of Kiln's own APIs under {@code /api/v1}: snake_case, ISO-8601 times, nulls left out, unknown fields
 * ignored when read. It belongs to the wire, not to any storage format: a stored job or a registry record keeps its own
 * mapper, so changing how the API looks never rewrites data on disk.
 */
public final class ApiJson {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private ApiJson() {}

  /** {@code value} as API JSON. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INTERNAL, "cannot write JSON", e);
    }
  }

  /** A request body as a JSON tree; a body that is not JSON is the caller's error, named by {@code what}. */
  public static JsonNode read(byte[] body, String what) {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n == null) {
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, what + " is empty");
      }
      return n;
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, what + " is not valid JSON");
    }
  }
}
