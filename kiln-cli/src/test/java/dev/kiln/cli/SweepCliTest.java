package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.training.data.SampleData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code kiln sweep} against a real server: submit and follow, list, show, deploy the best, a sweep file, cancel. */
class SweepCliTest extends TrainingServerCli {
  @Test
  void sweepFollowListShowAndDeployTheBest() throws Exception {
    Path csv = SampleData.linear(files.resolve("line.csv"), 120, 3);
    assertThat(kiln("datasets", "add", csv.toString(), "--name", "line", "--label", "y", "--url", url).exit()).isZero();
    Path spec = Files.writeString(files.resolve("lin.yaml"), "type: linear_regression\noptimizer: sgd\n");
    Path space = Files.writeString(files.resolve("space.yaml"), "learning_rate: {values: [0.0001, 0.1, 0.3]}\n");

    Run swept =
        kiln("sweep", spec.toString(), "--dataset", "line", "--space", space.toString(), "--epochs", "3", "--url", url);
    assertThat(swept.exit()).as(swept.out() + swept.err()).isZero();
    assertThat(swept.out())
        .contains(
            "sweep 1 queued: 3 trials (grid) on line",
            "trial 1 succeeded: val_loss",
            "sweep 1  SUCCEEDED  grid, objective val_loss (min)",
            "TRIAL",
            "VAL_LOSS",
            "learning_rate=0.0001)",
            "best: trial ",
            "deploy the best with: kiln sweep deploy 1 --as NAME");
    // The tiny rate is never the best.
    assertThat(swept.out()).doesNotContain("best: trial 1 ");

    assertThat(kiln("sweep", "list", "--url", url).out()).contains("SUCCEEDED", "grid", "#", " 3/3 ");
    // Each trial's job says which sweep and trial it is.
    assertThat(kiln("jobs", "list", "--url", url).out()).contains("TRIAL", "sweep 1 #1", "sweep 1 #3");
    assertThat(kiln("jobs", "show", "3", "--url", url).out()).contains("trial 3 of sweep 1: {\"learning_rate\":0.3}");
    assertThat(kiln("sweep", "show", "1", "--url", url).out()).contains(" * ", "learning_rate=0.3\n");
    Run deployed = kiln("sweep", "deploy", "1", "--as", "line-best", "--url", url);
    assertThat(deployed.exit()).as(deployed.err()).isZero();
    assertThat(deployed.out()).contains("of sweep 1", "as line-best version 1");
  }

  @Test
  void aSweepFileHoldsSpecAndSpaceAndASweepCanBeCancelled() throws Exception {
    Path csv = SampleData.linear(files.resolve("line.csv"), 60, 3);
    assertThat(kiln("datasets", "add", csv.toString(), "--name", "line", "--label", "y", "--url", url).exit()).isZero();
    // Patience 500: with the sweep's default early stopping a trial finished in 7 epochs, sometimes before the cancel.
    Path sweep =
        Files.writeString(
            files.resolve("sweep.yaml"),
            """
            dataset: line
            model: {type: linear_regression, optimizer: sgd}
            training: {epochs: 500, batch_size: 1, early_stopping: {patience: 500}}
            space:
              learning_rate: {log_uniform: [0.001, 0.1]}
            strategy: latin_hypercube
            trials: 4
            """);
    Run submitted = kiln("sweep", sweep.toString(), "--detach", "--url", url);
    assertThat(submitted.exit()).as(submitted.err()).isZero();
    assertThat(submitted.out()).contains("sweep 1 queued: 4 trials (latin_hypercube) on line");
    Run cancelled = kiln("sweep", "cancel", "1", "--url", url);
    assertThat(cancelled.exit()).as(cancelled.err()).isZero();
    assertThat(cancelled.out()).startsWith("sweep 1: ");
    Run watched = kiln("sweep", "watch", "1", "--url", url);
    assertThat(watched.exit()).isEqualTo(1);
    assertThat(watched.out()).contains("sweep 1  CANCELLED", "trial 4 cancelled");

    Run bad = kiln("sweep", sweep.toString(), "--strategy", "annealing", "--url", url);
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("strategy: 'annealing' (expected one of: grid, random, latin_hypercube)");
  }
}
