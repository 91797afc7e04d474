package dev.kiln.cli;

import dev.kiln.scoring.ScoringSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code kiln serve}'s batch-scoring flags (scoring runs with training and a database). */
final class ServeScoringOptions {
  @Option(
      names = "--scoring-jobs",
      defaultValue = "1",
      description =
          "Batch-scoring jobs this replica runs at once; 0: none, it only serves the API (default: ${DEFAULT-VALUE}).")
  int jobs;

  @Option(
      names = "--scoring-part-rows",
      defaultValue = "10000",
      description =
          "Rows per committed part of a scoring job's output: at most this many are scored again after a crash, and"
              + " a runner holds one part in memory (default: ${DEFAULT-VALUE}).")
  int partRows;

  @Option(
      names = "--scoring-max-batch-size",
      defaultValue = "4096",
      description = "The largest batch_size a scoring job may ask for; more gets 400 (default: ${DEFAULT-VALUE}).")
  int maxBatchSize;

  @Option(
      names = "--scoring-lease",
      defaultValue = "30s",
      description =
          "How long a scoring job's runner may miss heartbeats before another replica takes the job over (default:"
              + " ${DEFAULT-VALUE}).")
  Duration lease;

  ScoringSettings settings() {
    ScoringSettings d = ScoringSettings.defaults();
    return new ScoringSettings(jobs, lease, partRows, Math.min(d.defaultBatchSize(), maxBatchSize), maxBatchSize);
  }
}
