package dev.kiln.core.model;

import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named input or output of a model. {@code shape} is the full shape including the batch dimension; {@code -1} marks a
 * dimension of any size.
 *
 * @param columns the names of the last dimension's entries where the model declares them (a Kiln-trained tabular
 *     model's raw column names, in order); empty otherwise. Descriptive only: not part of equality, so a config's
 *     declared signature still matches the model's.
 * @param background rows the model declares as typical for this input ({@link Background}); {@link Background#NONE}
 *     otherwise. Descriptive as well.
 */
public record TensorSpec(String name, DataType datatype, long[] shape, List<String> columns, Background background) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = shape.clone();
    columns = columns == null ? List.of() : List.copyOf(columns);
    background = background == null ? Background.NONE : background;
  }

  public TensorSpec(String name, DataType datatype, long[] shape, List<String> columns) {
    this(name, datatype, shape, columns, Background.NONE);
  }

  public TensorSpec(String name, DataType datatype, long[] shape) {
    this(name, datatype, shape, List.of());
  }

  /** This spec with the given column names. */
  public TensorSpec withColumns(List<String> names) {
    return new TensorSpec(name, datatype, shape, names, background);
  }

  /** This spec with the given background rows. */
  public TensorSpec withBackground(Background rows) {
    return new TensorSpec(name, datatype, shape, columns, rows);
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
