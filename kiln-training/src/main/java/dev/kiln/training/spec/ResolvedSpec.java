package dev.kiln.training.spec;

import dev.kiln.training.data.Task;
import java.util.List;
import java.util.Objects;

/**
 * A spec checked against its data, as {@link SpecValidator} returns it.
 *
 * @param spec the effective spec: loss filled in and training settings complete (every field set); its layers are the
 *     user's, so it validates again unchanged and is what a job stores
 * @param layers the stack the engine builds: the spec's layers, or for {@code linear_regression} and {@code
 *     logistic_regression} the one dense layer they stand for
 * @param summary shapes and parameter counts of {@code layers}
 */
public record ResolvedSpec(
    ModelSpec spec, Task task, List<Integer> inputShape, List<LayerSpec> layers, ModelSummary summary) {
  public ResolvedSpec {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(summary, "summary");
    inputShape = List.copyOf(inputShape);
    layers = List.copyOf(layers);
  }

  /** Each layer's output shape, in order. */
  public List<List<Integer>> outputShapes() {
    return summary.rows().stream().map(ModelSummary.Row::outputShape).toList();
  }

  public List<Integer> outputShape() {
    return summary.outputShape();
  }
}
