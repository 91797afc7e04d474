package dev.kiln.core.serving;

import dev.kiln.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of one inference call.
 *
 * @param model the model's name
 * @param version the version that served it
 * @param id the request's id
 * @param outputs output tensors by name, in the model's order
 */
public record InferenceResponse(String model, long version, String id, Map<String, Tensor> outputs) {
  public InferenceResponse {
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }
}
