package dev.kiln.training.data;

import java.util.List;

/**
 * A parsed delimited file held whole: the header and the data rows, every row as wide as the header. Only for small
 * files; readers stream rows from {@link CsvParser} instead.
 *
 * @param file the file's name, for error messages
 */
record CsvTable(String file, List<String> header, List<String[]> rows) {
  CsvTable {
    header = List.copyOf(header);
    rows = List.copyOf(rows);
  }

  /** The index of {@code name} in the header, or a {@link DatasetException} listing what the header has. */
  int column(String name) {
    return column(file, header, name);
  }

  static int column(String file, List<String> header, String name) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new DatasetException(file + ": no column named '" + name + "' (columns: " + abbreviated(header) + ")");
    }
    return i;
  }

  private static String abbreviated(List<String> header) {
    return header.size() <= 10
        ? String.join(", ", header)
        : String.join(", ", header.subList(0, 10)) + ", ... (" + header.size() + " in all)";
  }
}
