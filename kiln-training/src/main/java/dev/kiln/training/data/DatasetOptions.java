package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * How to read a raw dataset; stored in its manifest so every later read sees the same data. Null fields take their
 * defaults: format detected, delimiter by extension, all non-label columns as features, column kinds detected, task
 * detected, channels detected, size of the first image.
 *
 * @param labelColumn the target column of a CSV ({@link DatasetFormat#CSV}, {@link DatasetFormat#TEXT_CSV})
 * @param featureColumns the CSV columns to use as features, in this order; empty means every other column
 * @param columnKinds forced kinds by column name; the rest are detected (numeric when every non-missing value is a
 *     number)
 * @param delimiter a single character
 * @param textColumn the text column of a {@link DatasetFormat#TEXT_CSV}
 * @param channels 1 (grey) or 3 (RGB) for images; by default those most of the images have
 * @param preparation text datasets: their own tokenisation and vocabulary options, the defaults of every job on them
 *     and what the upload report ({@link TextReport}) measures with; null for the defaults
 * @param limits caps while reading; by default the store's (never stored: they are the server's, not the data's)
 * @param policy what was done to personal-data columns before the data was stored ({@link PolicyCsv}); null (absent in
 *     manifests) for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetOptions(
    DatasetFormat format,
    String labelColumn,
    List<String> featureColumns,
    Map<String, ColumnKind> columnKinds,
    String delimiter,
    String textColumn,
    Task.Type task,
    Integer channels,
    Integer height,
    Integer width,
    TextPreparation preparation,
    @JsonIgnore ReadLimits limits,
    ColumnPolicy policy) {

  public DatasetOptions {
    featureColumns = featureColumns == null ? List.of() : List.copyOf(featureColumns);
    columnKinds = columnKinds == null ? Map.of() : Map.copyOf(columnKinds);
    if (delimiter != null && delimiter.length() != 1) {
      throw new DatasetException("delimiter: '" + delimiter + "' (expected: one character)");
    }
    if (channels != null && channels != 1 && channels != 3) {
      throw new DatasetException("channels: " + channels + " (expected: 1 or 3)");
    }
    if ((height == null) != (width == null) || (height != null && (height < 1 || width < 1))) {
      throw new DatasetException("image size: " + height + "x" + width + " (expected: both positive, or neither)");
    }
  }

  /** Options that detect everything; enough for image folders, IDX and text folders. */
  public static DatasetOptions detect() {
    return new DatasetOptions(null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public static DatasetOptions csv(String labelColumn) {
    return detect().withLabel(labelColumn);
  }

  public static DatasetOptions textCsv(String textColumn, String labelColumn) {
    return new DatasetOptions(
        DatasetFormat.TEXT_CSV, labelColumn, null, null, null, textColumn, null, null, null, null, null, null, null);
  }

  public DatasetOptions withFormat(DatasetFormat f) {
    return new DatasetOptions(
        f,
        labelColumn,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        task,
        channels,
        height,
        width,
        preparation,
        limits,
        policy);
  }

  public DatasetOptions withLabel(String label) {
    return new DatasetOptions(
        format,
        label,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        task,
        channels,
        height,
        width,
        preparation,
        limits,
        policy);
  }

  public DatasetOptions withFeatures(List<String> columns, Map<String, ColumnKind> kinds) {
    return new DatasetOptions(
        format,
        labelColumn,
        columns,
        kinds,
        delimiter,
        textColumn,
        task,
        channels,
        height,
        width,
        preparation,
        limits,
        policy);
  }

  public DatasetOptions withDelimiter(char d) {
    return new DatasetOptions(
        format,
        labelColumn,
        featureColumns,
        columnKinds,
        String.valueOf(d),
        textColumn,
        task,
        channels,
        height,
        width,
        preparation,
        limits,
        policy);
  }

  public DatasetOptions withTask(Task.Type t) {
    return new DatasetOptions(
        format,
        labelColumn,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        t,
        channels,
        height,
        width,
        preparation,
        limits,
        policy);
  }

  public DatasetOptions withImage(int c, int h, int w) {
    return new DatasetOptions(
        format,
        labelColumn,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        task,
        c,
        h,
        w,
        preparation,
        limits,
        policy);
  }

  public DatasetOptions withChannels(int c) {
    return new DatasetOptions(
        format,
        labelColumn,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        task,
        c,
        height,
        width,
        preparation,
        limits,
        policy);
  }

  public DatasetOptions withLimits(ReadLimits l) {
    return new DatasetOptions(
        format,
        labelColumn,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        task,
        channels,
        height,
        width,
        preparation,
        l,
        policy);
  }

  public DatasetOptions withPreparation(TextPreparation p) {
    return new DatasetOptions(
        format,
        labelColumn,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        task,
        channels,
        height,
        width,
        p,
        limits,
        policy);
  }

  /** These options with a column policy; an empty one is recorded as none. */
  public DatasetOptions withPolicy(ColumnPolicy p) {
    return new DatasetOptions(
        format,
        labelColumn,
        featureColumns,
        columnKinds,
        delimiter,
        textColumn,
        task,
        channels,
        height,
        width,
        preparation,
        limits,
        p == null || p.isEmpty() ? null : p);
  }

  /** The column policy, empty when there is none. */
  public ColumnPolicy policyOrNone() {
    return policy == null ? ColumnPolicy.none() : policy;
  }

  /**
   * What a job on this dataset prepares it with before its own {@code preparation}: the defaults, then {@link
   * #preparation()}.
   */
  public PrepareOptions prepareOptions() {
    return preparation == null ? PrepareOptions.defaults() : preparation.over(PrepareOptions.defaults());
  }

  ReadLimits limitsOrDefault() {
    return limits == null ? ReadLimits.defaults() : limits;
  }
}
