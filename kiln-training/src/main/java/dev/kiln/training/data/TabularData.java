package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A tabular dataset: feature columns and the label column's raw values.
 *
 * @param source the file name, for error messages
 */
public record TabularData(String source, String labelColumn, List<Column> columns, List<String> labels)
    implements RawDataset {

  /**
   * One feature column: {@code numbers} (NaN where missing) for a numeric column, {@code strings} (null where missing)
   * for a categorical one.
   */
  public record Column(String name, ColumnKind kind, double[] numbers, String[] strings) {}

  public TabularData {
    columns = List.copyOf(columns);
    labels = Collections.unmodifiableList(new ArrayList<>(labels));
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** The rows at {@code rows}, in that order. */
  TabularData select(int[] rows) {
    List<Column> cs = new ArrayList<>();
    for (Column c : columns) {
      if (c.kind() == ColumnKind.NUMERIC) {
        double[] v = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
          v[i] = c.numbers()[rows[i]];
        }
        cs.add(new Column(c.name(), c.kind(), v, null));
      } else {
        String[] v = new String[rows.length];
        for (int i = 0; i < rows.length; i++) {
          v[i] = c.strings()[rows[i]];
        }
        cs.add(new Column(c.name(), c.kind(), null, v));
      }
    }
    List<String> ls = new ArrayList<>(rows.length);
    for (int r : rows) {
      ls.add(labels.get(r));
    }
    return new TabularData(source, labelColumn, cs, ls);
  }

  boolean missing(int column, int row) {
    Column c = columns.get(column);
    return c.kind() == ColumnKind.NUMERIC ? Double.isNaN(c.numbers()[row]) : c.strings()[row] == null;
  }
}
