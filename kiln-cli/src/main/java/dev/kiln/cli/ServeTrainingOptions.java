package dev.kiln.cli;

import dev.kiln.server.TrainingConfig;
import dev.kiln.training.data.ReadLimits;
import dev.kiln.training.data.ZipArchive;
import dev.kiln.training.spec.ExactLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code kiln serve}'s training options: whether to offer the training API, its concurrency and dataset limits. */
final class ServeTrainingOptions {
  @Option(names = "--no-training", description = "Serve only: no datasets or training API.")
  boolean noTraining;

  @Option(
      names = "--training-jobs",
      defaultValue = "1",
      description =
          "Training jobs run at once by this process; 0: none, it only serves the training API (default:"
              + " ${DEFAULT-VALUE}).")
  int trainingJobs;

  @Option(
      names = "--training-threads",
      defaultValue = "1",
      description = "libtorch threads per training job " + "(default: ${DEFAULT-VALUE}).")
  int trainingThreads;

  @Option(
      names = "--dataset-max-rows",
      defaultValue = "5000000",
      description = "Rows (or images, texts) a " + "dataset may have; more gets 413 (default: ${DEFAULT-VALUE}).")
  long datasetMaxRows;

  @Option(
      names = "--dataset-max-columns",
      defaultValue = "10000",
      description = "Columns a CSV dataset may have " + "(default: ${DEFAULT-VALUE}).")
  int datasetMaxColumns;

  @Option(
      names = "--dataset-max-cells",
      defaultValue = "20000000",
      description =
          "Values a dataset may hold in "
              + "memory: rows x columns, or images x channels x height x width (default: ${DEFAULT-VALUE}).")
  long datasetMaxCells;

  @Option(
      names = "--dataset-max-bytes",
      defaultValue = "1073741824",
      description =
          "Bytes a dataset file may "
              + "inflate to (gzip), and a zipped folder may unpack to (default: ${DEFAULT-VALUE}).")
  long datasetMaxBytes;

  @Option(
      names = "--dataset-max-image-pixels",
      defaultValue = "25000000",
      description =
          "Width x height of any "
              + "one dataset image, read from its header before decoding (default: ${DEFAULT-VALUE}).")
  long datasetMaxImagePixels;

  @Option(
      names = "--sweep-max-trials",
      defaultValue = "100",
      description = "Trials one hyperparameter sweep may queue; more gets 400 (default: ${DEFAULT-VALUE}).")
  int sweepMaxTrials;

  @Option(
      names = "--exact-max-features",
      defaultValue = "2048",
      description =
          "Features (after one-hot) an exact linear regression may have (its normal equations grow with their"
              + " square); more gets 400 suggesting solver: gradient_descent (default: ${DEFAULT-VALUE}).")
  int exactMaxFeatures;

  @Option(
      names = "--exact-max-weights",
      defaultValue = "500000",
      description =
          "Classes x features an exact logistic regression or n-gram classifier may have (default:"
              + " ${DEFAULT-VALUE}).")
  long exactMaxWeights;

  @Option(
      names = "--retention-interval",
      defaultValue = "1h",
      description =
          "How often this replica deletes dataset versions whose retention period has run out (with a database;"
              + " default: ${DEFAULT-VALUE}).")
  Duration retentionInterval;

  /**
   * The training settings from the flags, empty with --no-training.
   *
   * @param dataDir where datasets and jobs are stored
   */
  Optional<TrainingConfig> config(Path dataDir) {
    if (noTraining) {
      return Optional.empty();
    }
    return Optional.of(
        TrainingConfig.defaults(dataDir)
            .withConcurrency(trainingJobs, trainingThreads)
            .withSweepMaxTrials(sweepMaxTrials)
            .withDatasetLimits(
                datasetLimits(), new ZipArchive.Limits(ZipArchive.Limits.defaults().maxEntries(), datasetMaxBytes))
            .withExactLimits(new ExactLimits(exactMaxFeatures, exactMaxWeights))
            .withRetentionInterval(retentionInterval));
  }

  private ReadLimits datasetLimits() {
    ReadLimits d = ReadLimits.defaults();
    return new ReadLimits(
        datasetMaxRows, datasetMaxColumns, datasetMaxCells, datasetMaxBytes, datasetMaxImagePixels, d.maxFieldChars());
  }
}
