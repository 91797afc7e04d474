package dev.kiln.training.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.Split;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The rows a job trained, validated early stopping, and was evaluated on: 0-based indexes into its dataset version's
 * rows as uploaded (see {@link dev.kiln.training.data.DatasetPreparer}), each split in the order the job used it. Kept
 * as {@code splits.json} beside the job's {@code job.json}, not inside it: it can hold a row number per row, and the
 * job record is rewritten on every progress update. Jobs stored before splits were recorded have no such file.
 *
 * @param sha256 the dataset version's checksum, so a user can tell the rows are those of the file they hold
 * @param validation the validation rows: of {@code validationDataset} when there is one, else of {@code dataset}
 * @param validationDataset the dataset validated on ({@code training.validation_dataset}); null when the validation
 *     rows are the dataset's own (and for jobs stored before validation datasets)
 * @param splitColumn the column that assigned the rows ({@code training.split_column}); null when the fractions did
 * @param predictions the engine's prediction for each {@code test} row, in its order, as the job's evaluation counted
 *     it: the class name, or for regression the value ({@link Float#toString}); empty until the job has evaluated (and
 *     for jobs stored before predictions were recorded)
 */
public record JobSplits(
    String dataset,
    int version,
    String sha256,
    List<Integer> train,
    List<Integer> validation,
    List<Integer> test,
    ValidationDataset validationDataset,
    String splitColumn,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> predictions) {
  static final String FILE = "splits.json";

  /** The other dataset version a job validated on, and how many of its rows it used. */
  public record ValidationDataset(String name, int version, String sha256, int rows) {}

  public JobSplits {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
    test = List.copyOf(test);
    predictions = predictions == null ? List.of() : List.copyOf(predictions);
  }

  public JobSplits(
      String dataset, int version, String sha256, List<Integer> train, List<Integer> validation, List<Integer> test) {
    this(dataset, version, sha256, train, validation, test, null, null, List.of());
  }

  static JobSplits of(DatasetRef source, Split rows) {
    return of(source, rows, Optional.empty(), null);
  }

  static JobSplits of(DatasetRef source, Split rows, Optional<DatasetRef> validationSource, String splitColumn) {
    return new JobSplits(
        source.name(),
        source.version(),
        source.sha256(),
        list(rows.train()),
        list(rows.validation()),
        list(rows.test()),
        validationSource
            .map(v -> new ValidationDataset(v.name(), v.version(), v.sha256(), rows.validation().length))
            .orElse(null),
        splitColumn,
        List.of());
  }

  /** These splits with the engine's test predictions, one per test row. */
  JobSplits withPredictions(List<String> testPredictions) {
    if (testPredictions.size() != test.size()) {
      throw new IllegalArgumentException(testPredictions.size() + " predictions for " + test.size() + " test rows");
    }
    return new JobSplits(
        dataset, version, sha256, train, validation, test, validationDataset, splitColumn, testPredictions);
  }

  /** One split's rows by its name: {@code train}, {@code validation} or {@code test}. */
  public List<Integer> rows(String split) {
    return switch (split) {
      case "train" -> train;
      case "validation" -> validation;
      case "test" -> test;
      default ->
          throw new KilnException(
              ErrorKind.INVALID_ARGUMENT, "split: '" + split + "' (expected: train, validation or test)");
    };
  }

  private static List<Integer> list(int[] rows) {
    return Arrays.stream(rows).boxed().toList();
  }

  /** Replaces the job directory's splits atomically (a resumed run writes the same rows again). */
  void write(Path jobDirectory) {
    Path tmp = jobDirectory.resolve(FILE + ".tmp");
    try {
      Files.write(tmp, JobJson.MAPPER.writeValueAsBytes(this));
      Files.move(tmp, jobDirectory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the splits of " + jobDirectory, e);
    }
  }

  /** The splits recorded in a job directory; empty for a job that has not started, or was stored before splits were. */
  static Optional<JobSplits> read(Path jobDirectory) {
    try {
      return Optional.of(JobJson.MAPPER.readValue(Files.readAllBytes(jobDirectory.resolve(FILE)), JobSplits.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the splits of " + jobDirectory, e);
    }
  }
}
