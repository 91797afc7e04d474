package dev.kiln.training.data;

import java.util.Objects;

/**
 * A dataset validated on instead of validation rows of the training data's own ({@code training.validation_dataset}).
 *
 * @param name how errors name it: {@code NAME@VERSION} for a stored version
 */
public record HeldOutData(String name, RawDataset data) {
  public HeldOutData {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(data, "data");
  }
}
