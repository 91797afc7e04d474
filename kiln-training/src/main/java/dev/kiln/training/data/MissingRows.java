package dev.kiln.training.data;

import java.util.stream.IntStream;

/** Applies the row-level part of a {@link MissingPolicy}: fail on, or drop, rows with missing values. */
final class MissingRows {
  private MissingRows() {}

  /**
   * The indexes of the rows to train from, in order: all of them for imputing policies (the fill comes later), complete
   * ones for drop.
   */
  static int[] kept(TabularData data, MissingPolicy policy) {
    if (policy == MissingPolicy.DROP) {
      int[] keep = IntStream.range(0, data.size()).filter(r -> complete(data, r)).toArray();
      if (keep.length == 0) {
        throw new DatasetException(data.source() + ": every row has a missing value");
      }
      return keep;
    }
    for (int r = 0; r < data.size(); r++) {
      if (data.labels().get(r) == null) {
        throw missing(data, r, data.labelColumn(), "a missing label can only be dropped");
      }
      for (int c = 0; c < data.columns().size() && policy == MissingPolicy.ERROR; c++) {
        if (data.missing(c, r)) {
          throw missing(data, r, data.columns().get(c).name(), "choose drop, mean, median or mode");
        }
      }
    }
    return IntStream.range(0, data.size()).toArray();
  }

  private static boolean complete(TabularData data, int r) {
    if (data.labels().get(r) == null) {
      return false;
    }
    for (int c = 0; c < data.columns().size(); c++) {
      if (data.missing(c, r)) {
        return false;
      }
    }
    return true;
  }

  private static DatasetException missing(TabularData data, int r, String column, String hint) {
    return new DatasetException(
        data.source() + ": row " + (r + 1) + ", column '" + column + "': missing value (" + hint + ")");
  }
}
