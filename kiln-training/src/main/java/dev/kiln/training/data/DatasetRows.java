package dev.kiln.training.data;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rows of a stored CSV dataset picked by their 0-based numbers (as {@link DatasetPreparer} numbers them), written back
 * as CSV: the header, then the rows in the order asked, comma-separated with RFC 4180 quoting whatever the upload's
 * delimiter, so another tool can load exactly the rows a job used.
 */
public final class DatasetRows {
  private DatasetRows() {}

  /**
   * @throws DatasetException for a dataset that is not a CSV file (image folders and IDX files have no rows as text),
   *     or a row number past its end
   */
  public static byte[] csv(StoredDataset stored, List<Integer> rows) {
    return csv(stored, rows, List.of());
  }

  /**
   * The rows as {@link #csv(StoredDataset, List)} writes them, with a last column {@code prediction} holding {@code
   * predictions} (one per row, in the same order) unless that is empty.
   */
  public static byte[] csv(StoredDataset stored, List<Integer> rows, List<String> predictions) {
    if (!predictions.isEmpty() && predictions.size() != rows.size()) {
      throw new IllegalArgumentException(predictions.size() + " predictions for " + rows.size() + " rows");
    }
    DatasetFormat format = stored.manifest().format();
    if (format != DatasetFormat.CSV && format != DatasetFormat.TEXT_CSV) {
      throw new DatasetException(
          "dataset "
              + stored.ref().name()
              + " is "
              + format.name().toLowerCase(Locale.ROOT)
              + ", not csv: its rows have no CSV");
    }
    Map<Integer, String[]> wanted = new HashMap<>();
    rows.forEach(r -> wanted.put(r, null));
    List<String> header;
    char delimiter = TabularReader.delimiter(stored.data(), stored.readOptions());
    try (CsvParser p = CsvParser.open(stored.data(), delimiter, stored.limits())) {
      header = p.header();
      int n = 0;
      for (String[] r = p.next(); r != null; r = p.next(), n++) {
        if (wanted.containsKey(n)) {
          wanted.put(n, r);
        }
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintWriter out = new PrintWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8))) {
      line(out, withPrediction(header.toArray(String[]::new), predictions.isEmpty() ? null : "prediction"));
      for (int i = 0; i < rows.size(); i++) {
        String[] record = wanted.get(rows.get(i));
        if (record == null) {
          throw new DatasetException("row " + rows.get(i) + ": past the end of dataset " + stored.ref().name());
        }
        line(out, withPrediction(record, predictions.isEmpty() ? null : predictions.get(i)));
      }
    }
    return bytes.toByteArray();
  }

  private static String[] withPrediction(String[] fields, String prediction) {
    if (prediction == null) {
      return fields;
    }
    String[] out = Arrays.copyOf(fields, fields.length + 1);
    out[fields.length] = prediction;
    return out;
  }

  private static void line(PrintWriter out, String[] fields) {
    for (int i = 0; i < fields.length; i++) {
      String f = fields[i] == null ? "" : fields[i];
      boolean quote = f.contains(",") || f.contains("\"") || f.contains("\n") || f.contains("\r");
      out.print((i == 0 ? "" : ",") + (quote ? "\"" + f.replace("\"", "\"\"") + "\"" : f));
    }
    out.print("\n");
  }
}
