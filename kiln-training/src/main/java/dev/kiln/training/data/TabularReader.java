package dev.kiln.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a CSV/TSV file into {@link TabularData}, detecting column kinds unless forced. Missing values are kept. */
public final class TabularReader {
  private TabularReader() {}

  public static TabularData read(Path file, DatasetOptions options) {
    CsvTable table = CsvParser.read(file, delimiter(file, options), options.limitsOrDefault());
    if (options.labelColumn() == null) {
      throw new DatasetException(table.file() + ": no label column given");
    }
    if (table.rows().isEmpty()) {
      throw new DatasetException(table.file() + ": no data rows");
    }
    int label = table.column(options.labelColumn());
    List<TabularData.Column> columns = new ArrayList<>();
    for (int c : featureIndexes(table, options, label)) {
      String name = table.header().get(c);
      ColumnKind forced = options.columnKinds().get(name);
      columns.add(column(table, c, forced == null ? detect(table, c) : forced));
    }
    if (columns.isEmpty()) {
      throw new DatasetException(table.file() + ": no feature columns besides the label '" + options.labelColumn()
          + "'");
    }
    List<String> labels = new ArrayList<>(table.rows().size());
    for (String[] row : table.rows()) {
      labels.add(MissingValues.isMissing(row[label]) ? null : row[label].strip());
    }
    return new TabularData(table.file(), options.labelColumn(), columns, labels);
  }

  static char delimiter(Path file, DatasetOptions options) {
    return options.delimiter() != null ? options.delimiter().charAt(0) : CsvParser.delimiterFor(file);
  }

  private static List<Integer> featureIndexes(CsvTable table, DatasetOptions options, int label) {
    List<Integer> out = new ArrayList<>();
    if (options.featureColumns().isEmpty()) {
      for (int c = 0; c < table.header().size(); c++) {
        if (c != label) {
          out.add(c);
        }
      }
      return out;
    }
    for (String name : options.featureColumns()) {
      int c = table.column(name);
      if (c == label) {
        throw new DatasetException(table.file() + ": column '" + name + "' is the label, not a feature");
      }
      out.add(c);
    }
    return out;
  }

  private static ColumnKind detect(CsvTable table, int c) {
    for (String[] row : table.rows()) {
      if (!MissingValues.isMissing(row[c]) && Numbers.parse(row[c]) == null) {
        return ColumnKind.CATEGORICAL;
      }
    }
    return ColumnKind.NUMERIC;
  }

  private static TabularData.Column column(CsvTable table, int c, ColumnKind kind) {
    String name = table.header().get(c);
    int n = table.rows().size();
    if (kind == ColumnKind.CATEGORICAL) {
      String[] v = new String[n];
      for (int r = 0; r < n; r++) {
        String raw = table.rows().get(r)[c];
        v[r] = MissingValues.isMissing(raw) ? null : raw.strip();
      }
      return new TabularData.Column(name, kind, null, v);
    }
    double[] v = new double[n];
    for (int r = 0; r < n; r++) {
      String raw = table.rows().get(r)[c];
      if (MissingValues.isMissing(raw)) {
        v[r] = Double.NaN;
        continue;
      }
      Double d = Numbers.parse(raw);
      if (d == null) {
        throw new DatasetException(table.file() + ": row " + (r + 1) + ", column '" + name + "': '" + abbreviate(raw)
            + "' is not a number (column forced numeric)");
      }
      v[r] = d;
    }
    return new TabularData.Column(name, kind, v, null);
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
