package dev.kiln.training.data;

import java.util.List;

/**
 * A dataset version split (seeded) and preprocessed for training.
 *
 * @param inputShape one example's shape as the first layer sees it (no batch dimension)
 * @param source which dataset version this came from (for lineage)
 */
public record PreparedData(
    Task task,
    List<Integer> inputShape,
    Examples train,
    Examples validation,
    Examples test,
    Preprocessing preprocessing,
    DatasetRef source) {
  public PreparedData {
    inputShape = List.copyOf(inputShape);
  }
}
