package dev.kiln.core.model;

import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named input or output of a model. {@code shape} is the full shape including the batch dimension; {@code -1} marks a
 * dimension of any size.
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Whether dimension 0 is variable, so requests can be stacked along it. */
  public boolean batchable() {
    return shape.length > 0 && shape[0] < 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && name.equals(t.name) && datatype == t.datatype && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + " " + datatype + " " + Shape.format(shape);
  }
}
