package dev.kiln.scoring;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a scoring job scores, as submitted and then pinned: the model reference ({@code name}, {@code name@alias} or
 * {@code name:version}), the dataset version, the rows per inference request, and the column whose values identify the
 * rows in the output (else their 0-based index, as column {@code row}).
 *
 * @param datasetVersion 0 until pinned: the latest version at submission
 * @param batchSize 0 until pinned: the model's batch size, or the server's default
 * @param idColumn null for none
 */
public record ScoringRequest(String model, String dataset, int datasetVersion, int batchSize, String idColumn) {
  private static final Pattern MODEL =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(@[A-Za-z0-9_.-]{1,64}|:[0-9]{1,18})?");
  private static final Pattern DATASET = Pattern.compile("([A-Za-z0-9][A-Za-z0-9_.-]{0,63})(?:@([0-9]{1,9}))?");

  public ScoringRequest {
    if (model == null || !MODEL.matcher(model).matches()) {
      throw invalid("model", "'" + model + "' (expected: name, name@alias or name:version)");
    }
    if (dataset == null || !DATASET.matcher(dataset).matches() || dataset.contains("@")) {
      throw invalid("dataset", "'" + dataset + "' (expected: name or name@version)");
    }
    if (datasetVersion < 0) {
      throw invalid("dataset", "version " + datasetVersion + " (expected: 1 or more)");
    }
    if (batchSize < 0) {
      throw invalid("batch_size", batchSize + " (expected: 1 or more)");
    }
    if (idColumn != null && (idColumn.isBlank() || idColumn.length() > 256)) {
      throw invalid("id_column", "'" + idColumn + "' (expected: a column name)");
    }
  }

  /**
   * A request as an API caller writes it: {@code dataset} as {@code name} or {@code name@version}, {@code batchSize} 0
   * for the default.
   */
  public static ScoringRequest of(String model, String dataset, int batchSize, String idColumn) {
    if (dataset == null) {
      throw invalid("dataset", "missing (expected: name or name@version)");
    }
    var m = DATASET.matcher(dataset);
    if (!m.matches()) {
      throw invalid("dataset", "'" + dataset + "' (expected: name or name@version)");
    }
    int version = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    if (m.group(2) != null && version < 1) {
      throw invalid("dataset", "version " + version + " (expected: 1 or more)");
    }
    return new ScoringRequest(model, m.group(1), version, batchSize, idColumn);
  }

  /** The model's name without alias or version, as access rules name it. */
  public String modelName() {
    int cut = model.indexOf('@') >= 0 ? model.indexOf('@') : model.indexOf(':');
    return cut < 0 ? model : model.substring(0, cut);
  }

  /** The version after {@code :}, empty for the latest or an alias. */
  public Optional<String> modelVersion() {
    int colon = model.indexOf(':');
    return colon < 0 ? Optional.empty() : Optional.of(model.substring(colon + 1));
  }

  /** The reference the core resolves: name or name@alias. */
  public String modelRef() {
    int colon = model.indexOf(':');
    return colon < 0 ? model : model.substring(0, colon);
  }

  public Optional<String> id() {
    return Optional.ofNullable(idColumn);
  }

  /** This request with its dataset version and batch size fixed. */
  public ScoringRequest pinned(int version, int batch) {
    return new ScoringRequest(model, dataset, version, batch, idColumn);
  }

  static KilnException invalid(String field, String what) {
    return new KilnException(ErrorKind.INVALID_ARGUMENT, field + ": " + what, null, field);
  }
}
