package dev.kiln.engine.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * Reads the column names a model declares for its inputs: the ONNX metadata property {@code kiln.columns}, a JSON
 * object from input name to that input's last-dimension column names in order, as Kiln's trainer writes it.
 */
final class ColumnNames {
  static final String KEY = "kiln.columns";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ColumnNames() {}

  /** The declared names per input; empty when the model declares none or the property is not readable. */
  static Map<String, List<String>> of(OrtSession session) throws OrtException {
    String value = session.getMetadata().getCustomMetadata().get(KEY);
    if (value == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(value, new TypeReference<Map<String, List<String>>>() {});
    } catch (JsonProcessingException e) {
      // The names only describe the inputs; a model some other tool wrote with this key still serves.
      return Map.of();
    }
  }
}
