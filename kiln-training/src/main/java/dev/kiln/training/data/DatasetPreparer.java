package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a raw dataset into {@link PreparedData}: missing values handled, task decided, rows split (seeded),
 * preprocessing fitted on the training split only and applied to all three.
 *
 * <p>{@link PreparedData#rows()} numbers rows from 0 in the order the reader yields them: a CSV's data records after
 * the header (blank lines skipped, as pandas does), an IDX file's records, the files of an image or text folder by
 * class folder then file name (both sorted). Rows dropped for missing values keep their numbers (they are in no split).
 */
public final class DatasetPreparer {
  private DatasetPreparer() {}

  /** Reads a stored dataset version and prepares it. */
  public static PreparedData prepare(StoredDataset stored, PrepareOptions options) {
    return prepare(stored, options, Optional.empty());
  }

  /**
   * Reads a stored dataset version and prepares it, validating on {@code validation} (another dataset version with the
   * same columns, prepared with the preprocessing fitted here) when given, in place of validation rows of its own.
   */
  public static PreparedData prepare(StoredDataset stored, PrepareOptions options, Optional<StoredDataset> validation) {
    RawDataset raw = DatasetReader.read(stored.data(), stored.readOptions());
    Optional<HeldOutData> extra =
        validation.map(v ->
            new HeldOutData(v.ref().name() + "@" + v.ref().version(), DatasetReader.read(v.data(), v.readOptions())));
    // The task the upload reported (given or detected), so a job trains for what the user was shown.
    Task.Type given = stored.manifest().options().task();
    return prepare(raw, given != null ? given : stored.manifest().task(), options, stored.ref(), extra);
  }

  /**
   * @param task the task type to force, or null to detect it (image and text datasets are always classification)
   */
  public static PreparedData prepare(RawDataset raw, Task.Type task, PrepareOptions options, DatasetRef source) {
    return prepare(raw, task, options, source, Optional.empty());
  }

  /**
   * As {@link #prepare(RawDataset, Task.Type, PrepareOptions, DatasetRef)}, validating on {@code validation} when
   * given: then the returned rows' {@code validation} are indexes into it.
   */
  public static PreparedData prepare(
      RawDataset raw, Task.Type task, PrepareOptions options, DatasetRef source, Optional<HeldOutData> validation) {
    Objects.requireNonNull(options, "options");
    if (options.splitColumn() != null && !(raw instanceof TabularData)) {
      throw new DatasetException("training.split_column: " + raw.source() + " is not a CSV dataset");
    }
    PreparedData data =
        switch (raw) {
          case TabularData t -> tabular(t, task, options, source, validation);
          case ImageData i -> image(i, task, options, source);
          case TextData t -> text(t, task, options, source);
        };
    if (validation.isEmpty() || raw instanceof TabularData) {
      return data;
    }
    ValidationData v =
        switch (data.preprocessing()) {
          case ImagePreprocessing pre -> ValidationData.image(validation.get(), (ImageData) raw, pre, data.task());
          case TextPreprocessing pre -> ValidationData.text(validation.get(), pre, data.task());
          default -> throw new IllegalStateException("preprocessing " + data.preprocessing());
        };
    return withValidation(data, v);
  }

  private static PreparedData tabular(
      TabularData raw, Task.Type type, PrepareOptions o, DatasetRef source, Optional<HeldOutData> validation) {
    SplitColumn column = SplitColumn.take(raw, o.splitColumn());
    int[] kept = MissingRows.kept(column.data(), o.missing());
    TabularData data = kept.length == raw.size() ? column.data() : column.data().select(kept);
    Task task = TaskInference.infer(data.labelColumn(), data.labels(), type, data.source());
    float[] targets = targets(task, data.labels());
    Split split = column.assigns() ? column.split(kept) : split(task, targets, o);
    if (validation.isPresent() && split.validation().length > 0) {
      throw new DatasetException(
          "training.validation_dataset: the split column '"
              + o.splitColumn()
              + "' also marks "
              + split.validation().length
              + " rows validation; use one or the other");
    }
    TabularPreprocessing pre = TabularFitter.fit(data.select(split.train()), o.scaling(), o.missing());
    List<Examples> parts = new ArrayList<>();
    for (int[] rows : new int[][] {split.train(), split.validation(), split.test()}) {
      parts.add(new Examples(TabularFitter.transform(pre, data.select(rows)), pick(targets, rows), rows.length));
    }
    ExactRows exact = o.exactRows() ? exactRows(task, targets, pre, data, split.train()) : ExactRows.NONE;
    PreparedData prepared =
        new PreparedData(
            task,
            List.of(pre.width()),
            parts.get(0),
            parts.get(1),
            parts.get(2),
            pre,
            source,
            split.through(kept),
            exact);
    return validation
        .map(v -> withValidation(prepared, ValidationData.tabular(v, data, o.splitColumn(), pre, task, o.missing())))
        .orElse(prepared);
  }

  /** {@code data} validated on another dataset's rows (their indexes there in the rows' {@code validation}). */
  private static PreparedData withValidation(PreparedData data, ValidationData v) {
    Split rows = new Split(data.rows().train(), v.rows(), data.rows().test());
    return new PreparedData(
        data.task(),
        data.inputShape(),
        data.train(),
        v.examples(),
        data.test(),
        data.preprocessing(),
        data.source(),
        rows,
        data.exactTrain());
  }

  /** The training rows in double precision; regression targets as parsed, class indexes as they are. */
  private static ExactRows exactRows(
      Task task, float[] targets, TabularPreprocessing pre, TabularData data, int[] train) {
    double[] t = new double[train.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = task.classification() ? targets[train[i]] : Numbers.parse(data.labels().get(train[i]));
    }
    return new ExactRows(TabularFitter.transformExact(pre, data.select(train)), t, train.length);
  }

  private static PreparedData image(ImageData data, Task.Type type, PrepareOptions o, DatasetRef source) {
    Task task = TaskInference.infer("class", data.labels(), classificationOnly(type, data.source()), data.source());
    float[] targets = targets(task, data.labels());
    Split split = split(task, targets, o);
    ImagePreprocessing pre = new ImagePreprocessing(data.channels(), data.height(), data.width());
    int w = data.channels() * data.height() * data.width();
    List<Examples> parts = new ArrayList<>();
    for (int[] rows : new int[][] {split.train(), split.validation(), split.test()}) {
      float[] f = new float[rows.length * w];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(data.images().get(rows[i]), 0, f, i * w, w);
      }
      parts.add(new Examples(pre.apply(f), pick(targets, rows), rows.length));
    }
    return result(task, List.of(data.channels(), data.height(), data.width()), parts, pre, source, split);
  }

  private static PreparedData text(TextData data, Task.Type type, PrepareOptions o, DatasetRef source) {
    Task task = TaskInference.infer("label", data.labels(), classificationOnly(type, data.source()), data.source());
    float[] targets = targets(task, data.labels());
    Split split = split(task, targets, o);
    TextFeatures pre = TextFitter.fit(pick(data.texts(), split.train()), o);
    List<Examples> parts = new ArrayList<>();
    for (int[] rows : new int[][] {split.train(), split.validation(), split.test()}) {
      parts.add(new Examples(pre.apply(pick(data.texts(), rows)), pick(targets, rows), rows.length));
    }
    return result(task, List.of(pre.width()), parts, pre, source, split);
  }

  private static Task.Type classificationOnly(Task.Type type, String source) {
    if (type == Task.Type.REGRESSION) {
      throw new DatasetException(source + ": images and texts support classification only");
    }
    return Task.Type.CLASSIFICATION;
  }

  private static Split split(Task task, float[] targets, PrepareOptions o) {
    int[] strata = null;
    if (task.classification() && o.stratify()) {
      strata = new int[targets.length];
      for (int i = 0; i < targets.length; i++) {
        strata[i] = (int) targets[i];
      }
    }
    return Split.of(targets.length, strata, o.validation(), o.test(), o.seed());
  }

  private static float[] targets(Task task, List<String> labels) {
    Map<String, Integer> index = new HashMap<>();
    for (int k = 0; k < task.classCount(); k++) {
      index.put(task.classes().get(k), k);
    }
    float[] t = new float[labels.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = task.classification() ? index.get(labels.get(i)) : Numbers.parse(labels.get(i)).floatValue();
    }
    return t;
  }

  private static float[] pick(float[] values, int[] rows) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = values[rows[i]];
    }
    return out;
  }

  private static List<String> pick(List<String> values, int[] rows) {
    List<String> out = new ArrayList<>(rows.length);
    for (int r : rows) {
      out.add(values.get(r));
    }
    return out;
  }

  private static PreparedData result(
      Task task, List<Integer> shape, List<Examples> parts, Preprocessing pre, DatasetRef source, Split rows) {
    return new PreparedData(task, shape, parts.get(0), parts.get(1), parts.get(2), pre, source, rows);
  }
}
