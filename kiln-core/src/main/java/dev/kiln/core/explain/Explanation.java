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
 * @param names the raw column each input element is (a model that declares columns, such as a Kiln-trained tabular
 *     one), in the attributions' order; empty when the model names none
 * @param background where the rows standing in for absent features came from
 */
public record Explanation(
    String model,
    long version,
    ExplainRequest.Method method,
    String input,
    long[] shape,
    String output,
    long evaluations,
    List<Attribution> attributions,
    List<String> names,
    Background background) {
  public Explanation {
    shape = shape.clone();
    attributions = List.copyOf(attributions);
    names = List.copyOf(names);
  }

  /**
   * The background an explanation used.
   *
   * @param source {@code request} (the caller's rows), {@code model} (the rows the model carries) or {@code none}
   * @param rows how many rows
   */
  public record Background(String source, int rows) {}

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
