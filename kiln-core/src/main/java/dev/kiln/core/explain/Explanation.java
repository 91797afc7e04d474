package dev.kiln.core.explain;

import java.util.List;

/**
 * The answer to an {@link ExplainRequest}.
 *
 * @param model the model that answered
 * @param version its version
 * @param method how the attributions were computed
 * @param input the explained input's name; attributions follow its elements in row-major order
 * @param shape the explained input's shape
 * @param output the explained output's name
 * @param evaluations rows the model was run on
 * @param attributions one per explained output element
 */
public record Explanation(
    String model,
    long version,
    ExplainRequest.Method method,
    String input,
    long[] shape,
    String output,
    long evaluations,
    List<Attribution> attributions) {
  public Explanation {
    shape = shape.clone();
    attributions = List.copyOf(attributions);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
