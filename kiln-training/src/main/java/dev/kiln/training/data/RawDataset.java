package dev.kiln.training.data;

import java.util.List;

/** A dataset as read from its raw file(s), before splitting and preprocessing. */
public sealed interface RawDataset permits TabularData, ImageData, TextData {
  /** The raw label of each row, as text; null where a tabular label is missing. */
  List<String> labels();

  /** The file or folder name, for error messages. */
  String source();

  default int size() {
    return labels().size();
  }
}
