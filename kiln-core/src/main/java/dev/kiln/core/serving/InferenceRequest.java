package dev.kiln.core.serving;

import dev.kiln.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One inference call after decoding.
 *
 * @param id the caller's request id, echoed back; may be empty
 * @param inputs input tensors by name, in the order the caller sent them
 * @param outputs names of the outputs wanted; empty means all
 */
public record InferenceRequest(String id, Map<String, Tensor> inputs, List<String> outputs) {
  public InferenceRequest {
    id = id == null ? "" : id;
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    outputs = List.copyOf(outputs);
  }

  public static InferenceRequest of(Map<String, Tensor> inputs) {
    return new InferenceRequest("", inputs, List.of());
  }

  /**
   * The rows (batch entries) this call carries, for usage accounting: the first dimension of its first input; 1 when
   * that input is a scalar, 0 without inputs.
   */
  public long rows() {
    if (inputs.isEmpty()) {
      return 0;
    }
    long[] shape = inputs.values().iterator().next().shape();
    return shape.length == 0 ? 1 : shape[0];
  }
}
