package dev.kiln.training.data;

import java.util.List;

/**
 * A dataset version split (seeded) and preprocessed for training.
 *
 * @param inputShape one example's shape as the first layer sees it (no batch dimension)
 * @param source which dataset version this came from (for lineage)
 * @param rows which rows of the dataset version went into {@code train}, {@code validation} and {@code test}, in their
 *     order there: 0-based indexes into the version's rows as read (see {@link DatasetPreparer}); empty for data that
 *     was not read from a dataset version
 * @param exactTrain {@code train}'s rows prepared in double precision where {@link PrepareOptions#exactRows()} asked
 *     for them (tabular data), else {@link ExactRows#NONE}; see {@link #exactTrainRows()}
 */
public record PreparedData(
    Task task,
    List<Integer> inputShape,
    Examples train,
    Examples validation,
    Examples test,
    Preprocessing preprocessing,
    DatasetRef source,
    Split rows,
    ExactRows exactTrain) {
  public PreparedData {
    inputShape = List.copyOf(inputShape);
    rows = rows == null ? Split.none() : rows;
    exactTrain = exactTrain == null ? ExactRows.NONE : exactTrain;
  }

  /** Data prepared in float only. */
  public PreparedData(
      Task task,
      List<Integer> inputShape,
      Examples train,
      Examples validation,
      Examples test,
      Preprocessing preprocessing,
      DatasetRef source,
      Split rows) {
    this(task, inputShape, train, validation, test, preprocessing, source, rows, ExactRows.NONE);
  }

  /** Data that was not read from a dataset version's rows (synthetic data in tests and benchmarks). */
  public PreparedData(
      Task task,
      List<Integer> inputShape,
      Examples train,
      Examples validation,
      Examples test,
      Preprocessing preprocessing,
      DatasetRef source) {
    this(task, inputShape, train, validation, test, preprocessing, source, Split.none());
  }

  /** The training rows in double precision: {@link #exactTrain()} where prepared, else {@code train} widened. */
  public ExactRows exactTrainRows() {
    return exactTrain.count() == train.count() ? exactTrain : ExactRows.widened(train);
  }
}
