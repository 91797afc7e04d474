package dev.kiln.govern.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.Scope;
import java.util.List;
import java.util.Map;

/**
 * The JSON columns of {@code api_keys}. Scopes are stored as their text with the glob always spelled out ({@code
 * "admin:*"}), which {@link Scope#parse} reads back to an equal scope; limits as objects whose absent fields are
 * unlimited.
 */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<Map<String, Limits>> LIMITS_BY_MODEL = new TypeReference<>() {};

  private Json() {}

  static String scopes(List<Scope> scopes) {
    return write(scopes.stream().map(s -> s.action().word() + ":" + s.models()).toList());
  }

  static List<Scope> scopes(String json) {
    return read(json, STRINGS).stream().map(Scope::parse).toList();
  }

  static String limits(Limits limits) {
    return write(limits);
  }

  static Limits limits(String json) {
    return read(json, new TypeReference<Limits>() {});
  }

  static String modelLimits(Map<String, Limits> limits) {
    return write(limits);
  }

  static Map<String, Limits> modelLimits(String json) {
    return read(json, LIMITS_BY_MODEL);
  }

  private static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON column", e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new StoreException("corrupt JSON column", e);
    }
  }
}
