package dev.kiln.engine.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.model.Background;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the background rows a model carries for its inputs: the ONNX metadata property {@code kiln.background}, a JSON
 * object from input name to rows (arrays of numbers, each the input's elements per example), as Kiln's trainer writes a
 * seeded sample of the training split there. Explanations use them when a request sends none.
 */
final class BackgroundRows {
  static final String KEY = "kiln.background";

  /** Most rows kept per input, as many as an explanation takes. */
  static final int MAX_ROWS = 100;

  private static final ObjectMapper JSON = new ObjectMapper();

  private BackgroundRows() {}

  /** The rows per input; empty when the model carries none or the property is not readable. */
  static Map<String, Background> of(OrtSession session) throws OrtException {
    String value = session.getMetadata().getCustomMetadata().get(KEY);
    if (value == null) {
      return Map.of();
    }
    try {
      Map<String, double[][]> raw = JSON.readValue(value, new TypeReference<Map<String, double[][]>>() {});
      Map<String, Background> out = new LinkedHashMap<>();
      for (Map.Entry<String, double[][]> e : raw.entrySet()) {
        double[][] rows = e.getValue();
        if (rows != null
            && rows.length > 0
            && rows.length <= MAX_ROWS
            && Arrays.stream(rows).allMatch(Objects::nonNull)) {
          out.put(e.getKey(), new Background(rows));
        }
      }
      return out;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      // The rows only help explanations; a model some other tool wrote with this key still serves.
      return Map.of();
    }
  }
}
