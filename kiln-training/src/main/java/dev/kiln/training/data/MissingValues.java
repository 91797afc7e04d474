package dev.kiln.training.data;

import java.util.List;

/** The spellings of a missing value in a raw file. */
final class MissingValues {
  static final List<String> MARKERS = List.of("", "NA", "NaN", "?");

  private MissingValues() {}

  static boolean isMissing(String raw) {
    return raw == null || MARKERS.contains(raw.strip());
  }
}
