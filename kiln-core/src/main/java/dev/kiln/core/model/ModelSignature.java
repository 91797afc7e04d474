package dev.kiln.core.model;

import java.util.List;
import java.util.Optional;

/** The inputs and outputs of a model, in the order the model declares them. */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public Optional<TensorSpec> input(String name) {
    return inputs.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public Optional<TensorSpec> output(String name) {
    return outputs.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Whether every input and output has a variable dimension 0, which dynamic batching needs. */
  public boolean batchable() {
    return inputs.stream().allMatch(TensorSpec::batchable) && outputs.stream().allMatch(TensorSpec::batchable);
  }
}
