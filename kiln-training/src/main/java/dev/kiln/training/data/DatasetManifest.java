package dev.kiln.training.data;

import java.util.List;

/**
 * What a stored dataset version is: written once as {@code dataset.json} next to the raw data.
 *
 * @param data the stored raw file or folder's name inside the version directory
 * @param rows examples read at upload (before any missing-value policy)
 * @param columns feature columns (tabular only)
 * @param classes class names when the task is classification, else empty
 * @param task classification or regression: as given at upload ({@code options.task}), else as detected then (labels
 *     that are not all numbers, or whole numbers with at most 20 distinct values, are classes); jobs train for this
 *     task. Null only in manifests written before it was recorded.
 * @param sha256 of the raw content: a file's bytes, or for a folder its sorted relative paths and file bytes
 * @param sizeBytes of the raw content
 * @param created when it was stored, ISO-8601 in UTC
 * @param createdBy the API key id that uploaded it ({@code anonymous} with auth off; null for versions stored before
 *     datasets had owners, which only an admin sees)
 * @param text what the texts look like to a model (tokens, vocabulary, lengths, classes), measured at upload; null for
 *     other formats and for text versions stored before it was recorded
 */
public record DatasetManifest(
    String name,
    int version,
    DatasetFormat format,
    DatasetOptions options,
    String data,
    long rows,
    List<String> columns,
    List<String> classes,
    Task.Type task,
    String sha256,
    long sizeBytes,
    String created,
    String createdBy,
    TextReport text) {
  public DatasetManifest {
    columns = columns == null ? List.of() : List.copyOf(columns);
    classes = classes == null ? List.of() : List.copyOf(classes);
  }

  /** This manifest as uploaded by {@code key}. */
  public DatasetManifest by(String key) {
    return new DatasetManifest(
        name, version, format, options, data, rows, columns, classes, task, sha256, sizeBytes, created, key, text);
  }

  /** What was done to personal-data columns before this version was stored ({@link DatasetOptions#policy()}). */
  public ColumnPolicy policy() {
    return options == null ? ColumnPolicy.none() : options.policyOrNone();
  }

  public DatasetRef ref() {
    return new DatasetRef(name, version, sha256);
  }
}
