package dev.kiln.training.job;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.spec.TrainingSettings;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a job's request holds rows out: the fractions, a validation dataset ({@code training.validation_dataset}) or a
 * split column ({@code training.split_column}). Conflicts are refused naming the field; a fraction the chosen way makes
 * meaningless is set to 0 in the settings the job runs with, so validation and early stopping see what is used.
 */
final class HeldOut {
  private static final Pattern DATASET = Pattern.compile("([A-Za-z0-9][A-Za-z0-9_.-]{0,63})(?:@([0-9]{1,9}))?");

  private HeldOut() {}

  /**
   * Refuses a request whose held-out settings conflict, as the user wrote it (checked when the job is submitted: a
   * stored request's spec has every default written out, so "given explicitly" can be told only then).
   */
  static void check(JobRequest r, TrainingSettings merged) {
    Double validation = explicit(r, TrainingSettings::validationSplit);
    Double test = explicit(r, TrainingSettings::testSplit);
    if (merged.splitColumn() != null && (positive(validation) || positive(test))) {
      throw invalid(
          "training.split_column",
          "training.split_column: the column '"
              + merged.splitColumn()
              + "' assigns every row; leave out validation_split and test_split");
    }
    if (merged.validationDataset() != null && positive(validation)) {
      throw invalid(
          "training.validation_dataset",
          "training.validation_dataset: epochs validate on "
              + merged.validationDataset()
              + "; validation_split "
              + validation
              + " would hold out training rows as well (leave it out or set it to 0)");
    }
  }

  /** {@code merged} (request over spec over defaults) with the fractions a validation dataset or split column void. */
  static TrainingSettings resolve(TrainingSettings merged) {
    TrainingSettings out = merged;
    if (merged.splitColumn() != null) {
      if (merged.splitColumn().isBlank()) {
        throw invalid("training.split_column", "training.split_column: a column name is needed");
      }
      out = out.withSplits(0.0, 0.0);
    }
    if (merged.validationDataset() != null) {
      name(merged.validationDataset());
      out = out.withSplits(0.0, out.testSplit());
    }
    return out;
  }

  /** The validation dataset the settings name, newest version unless {@code NAME@VERSION}, checksum verified. */
  static Optional<StoredDataset> dataset(DatasetStore datasets, TrainingSettings settings) {
    if (settings.validationDataset() == null) {
      return Optional.empty();
    }
    Matcher m = name(settings.validationDataset());
    Optional<StoredDataset> found =
        m.group(2) == null ? datasets.latest(m.group(1)) : datasets.get(m.group(1), Integer.parseInt(m.group(2)));
    return Optional.of(
        found.orElseThrow(() ->
            invalid(
                "training.validation_dataset",
                "training.validation_dataset: no dataset " + settings.validationDataset())));
  }

  /** The dataset name part of {@code NAME} or {@code NAME@VERSION}. */
  static String datasetName(String validationDataset) {
    return name(validationDataset).group(1);
  }

  private static Matcher name(String value) {
    Matcher m = DATASET.matcher(value);
    if (!m.matches()) {
      throw invalid(
          "training.validation_dataset",
          "training.validation_dataset: '" + value + "' (expected: NAME or NAME@VERSION)");
    }
    return m;
  }

  /**
   * The request's own value of a fraction (its training overrides, else the spec's training block), null when neither
   * gives it: a spec without a training block carries {@link TrainingSettings#DEFAULTS}, which nobody wrote.
   */
  private static Double explicit(JobRequest r, Function<TrainingSettings, Double> field) {
    if (r.training() != null && field.apply(r.training()) != null) {
      return field.apply(r.training());
    }
    TrainingSettings spec = r.model().training();
    return spec == TrainingSettings.DEFAULTS ? null : field.apply(spec);
  }

  private static boolean positive(Double fraction) {
    return fraction != null && fraction > 0;
  }

  private static KilnException invalid(String path, String message) {
    return new KilnException(ErrorKind.INVALID_ARGUMENT, message, null, path);
  }
}
