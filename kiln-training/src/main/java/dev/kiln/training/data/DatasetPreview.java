package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The first rows of a stored CSV dataset version, as stored (after its column policy): a look at the data without
 * downloading it. Reading stops after the rows asked for, so a preview of a large dataset costs what the rows cost.
 *
 * @param columns the header
 * @param rows up to the rows asked for, each one string per column as the parser read it
 * @param more whether the dataset has rows after these
 */
public record DatasetPreview(String dataset, int version, List<String> columns, List<List<String>> rows, boolean more) {
  /** The most rows one preview answers; a larger request is cut to this. */
  public static final int MAX_ROWS = 100;

  public DatasetPreview {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  /**
   * @param n rows wanted, 1 or more; cut to {@link #MAX_ROWS}
   * @throws DatasetException for a dataset that is not CSV (an image folder or IDX pair has no rows as text)
   */
  public static DatasetPreview of(StoredDataset stored, int n) {
    if (n < 1) {
      throw new DatasetException("rows: " + n + " (expected: 1 to " + MAX_ROWS + ")");
    }
    DatasetFormat format = stored.manifest().format();
    if (format != DatasetFormat.CSV && format != DatasetFormat.TEXT_CSV) {
      throw new DatasetException(
          "dataset "
              + stored.ref().name()
              + " is "
              + format.name().toLowerCase(Locale.ROOT)
              + ", not csv: it has no rows to preview (download it instead)");
    }
    int wanted = Math.min(n, MAX_ROWS);
    List<List<String>> rows = new ArrayList<>();
    char delimiter = TabularReader.delimiter(stored.data(), stored.readOptions());
    try (CsvParser p = CsvParser.open(stored.data(), delimiter, stored.limits())) {
      List<String> header = p.header();
      String[] r = p.next();
      while (r != null && rows.size() < wanted) {
        rows.add(Arrays.asList(r));
        r = p.next();
      }
      return new DatasetPreview(stored.ref().name(), stored.ref().version(), header, rows, r != null);
    }
  }
}
