package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A named split: a CSV column ({@code training.split_column}) whose value in each row, {@code train}, {@code
 * validation} or {@code test} in any case, says which split the row is in, as a user who split the data elsewhere wrote
 * it. The column is taken out of the features.
 *
 * @param data the dataset without the split column
 * @param values each row's split value as written; empty when no split column was named
 */
record SplitColumn(TabularData data, List<String> values) {
  private static final String FIELD = "training.split_column";

  /** Takes {@code column} out of {@code raw}; null takes nothing and leaves the fractions to split. */
  static SplitColumn take(TabularData raw, String column) {
    if (column == null) {
      return new SplitColumn(raw, List.of());
    }
    if (column.equals(raw.labelColumn())) {
      throw new DatasetException(FIELD + ": '" + column + "' is the label column; name another column");
    }
    List<TabularData.Column> features = new ArrayList<>();
    TabularData.Column found = null;
    for (TabularData.Column c : raw.columns()) {
      if (c.name().equals(column)) {
        found = c;
      } else {
        features.add(c);
      }
    }
    if (found == null) {
      throw new DatasetException(
          FIELD + ": no column '" + column + "' in " + raw.source() + " (columns: " + raw.columnNames() + ")");
    }
    List<String> values = new ArrayList<>(raw.size());
    for (int r = 0; r < raw.size(); r++) {
      values.add(found.kind() == ColumnKind.NUMERIC ? number(found.numbers()[r]) : found.strings()[r]);
    }
    return new SplitColumn(new TabularData(raw.source(), raw.labelColumn(), features, raw.labels()), values);
  }

  /** {@code raw} without {@code column} when it has one: a validation dataset may carry the split column too. */
  static TabularData without(TabularData raw, String column) {
    return column != null && raw.columnNames().contains(column) ? take(raw, column).data() : raw;
  }

  boolean assigns() {
    return !values.isEmpty();
  }

  /**
   * The split of the rows at {@code kept} (indexes into {@link #data}): each split lists positions in {@code kept}, in
   * dataset order, as {@link Split#of} does for the fractions.
   */
  Split split(int[] kept) {
    List<Integer> train = new ArrayList<>();
    List<Integer> validation = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int i = 0; i < kept.length; i++) {
      String v = values.get(kept[i]);
      String name = v == null ? "" : v.strip().toLowerCase(Locale.ROOT);
      switch (name) {
        case "train" -> train.add(i);
        case "validation" -> validation.add(i);
        case "test" -> test.add(i);
        default ->
            throw new DatasetException(
                FIELD
                    + ": row "
                    + (kept[i] + 1)
                    + " of "
                    + data.source()
                    + " has '"
                    + (v == null ? "" : v)
                    + "' (expected: train, validation or test)");
      }
    }
    if (train.isEmpty()) {
      throw new DatasetException(FIELD + ": no row of " + data.source() + " is marked train");
    }
    return new Split(ints(train), ints(validation), ints(test));
  }

  private static String number(double v) {
    return Double.isNaN(v) ? null : Double.toString(v);
  }

  private static int[] ints(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }
}
