package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A second dataset validated on each epoch ({@code training.validation_dataset}, Keras's {@code validation_data}). It
 * must have the training data's columns (or image size) and labels, and is prepared with the preprocessing fitted on
 * the training rows: its own rows never move a mean, a category list or a vocabulary.
 *
 * @param rows the rows of the validation dataset used, 0-based as read (rows dropped for missing values left out)
 */
record ValidationData(Examples examples, int[] rows) {
  private static final String FIELD = "training.validation_dataset";

  static ValidationData tabular(
      HeldOutData held,
      TabularData train,
      String splitColumn,
      TabularPreprocessing pre,
      Task task,
      MissingPolicy missing) {
    if (!(held.data() instanceof TabularData t)) {
      throw differs(held, "is not a CSV dataset like the training data");
    }
    TabularData data = SplitColumn.without(t, splitColumn);
    if (!columns(data).equals(columns(train)) || !data.labelColumn().equals(train.labelColumn())) {
      throw differs(
          held,
          "has columns "
              + columns(data)
              + " and label '"
              + data.labelColumn()
              + "'; the training data has "
              + columns(train)
              + " and label '"
              + train.labelColumn()
              + "'");
    }
    int[] kept = MissingRows.kept(data, missing);
    TabularData rows = kept.length == data.size() ? data : data.select(kept);
    float[] targets = targets(task, rows.labels(), held.name());
    return new ValidationData(new Examples(TabularFitter.transform(pre, rows), targets, kept.length), kept);
  }

  static ValidationData image(HeldOutData held, ImageData train, ImagePreprocessing pre, Task task) {
    if (!(held.data() instanceof ImageData i)
        || i.channels() != train.channels()
        || i.height() != train.height()
        || i.width() != train.width()) {
      throw differs(
          held,
          "is not images of the training data's size ["
              + train.channels()
              + ", "
              + train.height()
              + ", "
              + train.width()
              + "]");
    }
    int w = i.channels() * i.height() * i.width();
    float[] f = new float[i.size() * w];
    for (int r = 0; r < i.size(); r++) {
      System.arraycopy(i.images().get(r), 0, f, r * w, w);
    }
    float[] targets = targets(task, i.labels(), held.name());
    return new ValidationData(new Examples(pre.apply(f), targets, i.size()), all(i.size()));
  }

  static ValidationData text(HeldOutData held, TextPreprocessing pre, Task task) {
    if (!(held.data() instanceof TextData t)) {
      throw differs(held, "is not a text dataset like the training data");
    }
    float[] targets = targets(task, t.labels(), held.name());
    return new ValidationData(new Examples(pre.apply(t.texts()), targets, t.size()), all(t.size()));
  }

  /** The labels as training targets; a class the training data does not have is an error naming it. */
  private static float[] targets(Task task, List<String> labels, String source) {
    Map<String, Integer> index = new HashMap<>();
    for (int k = 0; k < task.classCount(); k++) {
      index.put(task.classes().get(k), k);
    }
    float[] t = new float[labels.size()];
    for (int i = 0; i < t.length; i++) {
      String label = labels.get(i);
      // Not a conditional expression: that would unbox both sides and turn an unknown class into an NPE.
      Number v = null;
      if (label != null) {
        v = task.classification() ? (Number) index.get(label) : (Number) Numbers.parse(label);
      }
      if (v == null) {
        throw new DatasetException(
            FIELD
                + ": row "
                + (i + 1)
                + " of "
                + source
                + " has label '"
                + label
                + "', "
                + (task.classification() ? "not one of the training classes " + task.classes() : "not a number"));
      }
      t[i] = v.floatValue();
    }
    return t;
  }

  private static List<String> columns(TabularData data) {
    List<String> out = new ArrayList<>();
    data.columns().forEach(c -> out.add(c.name() + (c.kind() == ColumnKind.NUMERIC ? "" : " (categorical)")));
    return out;
  }

  private static int[] all(int n) {
    return IntStream.range(0, n).toArray();
  }

  private static DatasetException differs(HeldOutData held, String why) {
    return new DatasetException(FIELD + ": " + held.name() + " " + why);
  }
}
