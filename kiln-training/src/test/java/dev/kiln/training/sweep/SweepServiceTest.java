package dev.kiln.training.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.access.Grants;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.data.SampleData;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.job.FileJobStore;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobEvents;
import dev.kiln.training.job.JobFilter;
import dev.kiln.training.job.JobJson;
import dev.kiln.training.job.JobRunner;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.JobWork;
import dev.kiln.training.job.SweepTrial;
import dev.kiln.training.job.TrainingService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps over the real stores and job queue, with a job's work replaced by a curve whose best learning rate is known
 * (the engine's own test is the server's SweepApiTest): trials, their checks, their jobs, the best, cancel, ownership.
 */
class SweepServiceTest {
  static final Grants A = Grants.none("key-a");
  static final Grants B = Grants.none("key-b");
  static final Grants ADMIN = Grants.all("admin");
  static final String SPEC =
      "{\"type\": \"sequential\", \"layers\": [{\"type\": \"dense\", \"units\": 1}], \"optimizer\": \"sgd\"}";

  @TempDir Path dir;
  FileJobStore jobs;
  JobRunner runner;
  TrainingService training;
  SweepService sweeps;

  /** Validation loss (log10(lr) + 2)^2 + 1/epoch: best at lr = 0.01, and later epochs better. */
  static JobWork.Result curve(Job job) {
    double lr = job.request().model().optimizer().learningRate();
    List<EpochMetrics> h = new ArrayList<>();
    for (int e = 1; e <= 3; e++) {
      double v = Math.pow(Math.log10(lr) + 2, 2) + 1.0 / e;
      h.add(new EpochMetrics(e, 3, v, Double.NaN, v, Double.NaN, 0.01));
    }
    return new JobWork.Result(h, null, null);
  }

  @BeforeEach
  void start() throws Exception {
    FileDatasetStore datasets = new FileDatasetStore(dir.resolve("data"));
    datasets.add("lin", SampleData.linear(dir.resolve("lin.csv"), 60, 3), DatasetOptions.csv("y"), "key-a");
    jobs = new FileJobStore(dir.resolve("jobs"));
    JobEvents events = new JobEvents();
    runner = new JobRunner(jobs, (job, l, c) -> curve(job), events, 2, Duration.ofSeconds(5), Duration.ofSeconds(1));
    training = new TrainingService(datasets, jobs, runner, events, null);
    sweeps = new SweepService(training, jobs, new FileSweepStore(dir.resolve("sweeps")), 20);
  }

  @AfterEach
  void stop() {
    runner.close();
  }

  static SweepRequest request(String sweepFields) {
    return SweepRequest.read(
        ("{\"dataset\": \"lin\", \"model\": " + SPEC + ", " + sweepFields + "}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void trialsAreQueuedAsJobsWithTheirSettingsAndEarlyStoppingOnTheObjective() {
    SweepView v =
        sweeps.submit(
            request(
                "\"space\": {\"learning_rate\": {\"log_uniform\": [0.0001, 1]}}, \"strategy\": \"latin_hypercube\","
                    + " \"trials\": 8, \"seed\": 5"),
            A);
    assertThat(v.state()).isEqualTo(JobState.QUEUED);
    assertThat(v.objective()).isEqualTo(new Objective("val_loss", "min"));
    assertThat(v.trials()).hasSize(8);
    for (SweepView.TrialView t : v.trials()) {
      Job job = training.job(t.job(), A);
      assertThat(job.request().model().optimizer().learningRate())
          .isEqualTo(t.settings().get("learning_rate").asDouble());
      assertThat(job.request().training().earlyStopping().monitor()).isEqualTo("val_loss");
      assertThat(job.request().training().earlyStopping().patience()).isEqualTo(3);
      assertThat(job.request().datasetVersion()).isEqualTo(1);
      assertThat(job.sweep()).isEqualTo(new SweepTrial(v.id(), t.number(), t.settings()));
    }
    assertThat(training.jobs(JobFilter.ALL, new PageRequest(100, 0), A).items())
        .extracting(j -> j.sweep().trial())
        .containsExactly(8, 7, 6, 5, 4, 3, 2, 1);
    // The same request and seed give the same trials.
    SweepView again =
        sweeps.submit(
            request(
                "\"space\": {\"learning_rate\": {\"log_uniform\": [0.0001, 1]}}, \"strategy\": \"latin_hypercube\","
                    + " \"trials\": 8, \"seed\": 5"),
            A);
    assertThat(again.trials().stream().map(SweepView.TrialView::settings).toList())
        .isEqualTo(v.trials().stream().map(SweepView.TrialView::settings).toList());
  }

  @Test
  void theBestTrialIsTheOneWithTheBestObjectiveAtItsBestEpoch() throws Exception {
    runner.start();
    SweepView v =
        sweeps.submit(request("\"space\": {\"learning_rate\": {\"values\": [1, 0.1, 0.01, 0.001, 0.0001]}}"), A);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (v.state() != JobState.SUCCEEDED && System.nanoTime() < deadline) {
      Thread.sleep(50);
      v = sweeps.sweep(v.id(), A);
    }
    assertThat(v.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(v.best()).isEqualTo(3);
    assertThat(v.trials().get(2).settings().get("learning_rate").asDouble()).isEqualTo(0.01);
    assertThat(v.bestValue()).isEqualTo(1.0 / 3);
    assertThat(v.trials()).allSatisfy(t -> assertThat(t.bestEpoch()).isEqualTo(3));
    // The list is a summary: the state, the best and how many trials ended how, not every trial.
    SweepSummary listed = sweeps.sweeps(A).getFirst();
    assertThat(sweeps.sweeps(A)).extracting(SweepSummary::id).containsExactly(v.id());
    assertThat(listed.trialCounts()).isEqualTo(new SweepSummary.TrialCounts(5, 0, 0, 5, 0, 0));
    assertThat(listed.best()).isEqualTo(3);
    assertThat(listed.bestJob()).isEqualTo(v.bestJob());
    assertThat(listed.bestValue()).isEqualTo(1.0 / 3);
    assertThat(listed.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(listed.objective()).isEqualTo(v.objective());
    assertThat(JobJson.MAPPER.valueToTree(listed).has("trials")).isFalse();
  }

  @Test
  void anInvalidTrialQueuesNothingAndNamesTheTrialAndKey() {
    assertThatThrownBy(() -> sweeps.submit(request("\"space\": {\"batch_size\": {\"values\": [32, 0]}}"), A))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageStartingWith("trial 2 (batch_size=0): ")
        .hasMessageContaining("batch_size");
    assertThatThrownBy(() -> sweeps.submit(request("\"space\": {\"model.layers.3.units\": {\"values\": [4]}}"), A))
        .hasMessage(
            "trial 1 (model.layers.3.units=4): space.model.layers.3.units: model.layers has 1 entries (indexes from"
                + " 0), so '3' names none");
    assertThatThrownBy(() ->
            sweeps.submit(request("\"space\": {\"epochs\": {\"values\": [2]}}, \"objective\": \"val_accuracy\""), A))
        .hasMessage("objective.metric: 'val_accuracy' is not reported by regression trials (one of: val_loss, loss)");
    assertThat(jobs.list()).isEmpty();
    assertThat(sweeps.sweeps(A)).isEmpty();
  }

  @Test
  void anotherKeysSweepIsAbsentAndAnAdminSeesIt() {
    SweepView v = sweeps.submit(request("\"space\": {\"epochs\": {\"values\": [1, 2]}}"), A);
    assertThatThrownBy(() -> sweeps.sweep(v.id(), B))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND))
        .hasMessage("no sweep " + v.id());
    assertThatThrownBy(() -> sweeps.cancel(v.id(), B)).hasMessage("no sweep " + v.id());
    assertThatThrownBy(() -> sweeps.deploy(v.id(), "m", B)).hasMessage("no sweep " + v.id());
    assertThat(sweeps.sweeps(B)).isEmpty();
    assertThat(sweeps.sweep(v.id(), ADMIN).createdBy()).isEqualTo("key-a");
    assertThat(sweeps.sweeps(ADMIN)).hasSize(1);
  }

  @Test
  void cancellingCancelsEveryQueuedTrial() {
    SweepView v = sweeps.submit(request("\"space\": {\"epochs\": {\"values\": [1, 2, 3]}}"), A);
    SweepView cancelled = sweeps.cancel(v.id(), A);
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.trials()).allSatisfy(t -> assertThat(t.state()).isEqualTo(JobState.CANCELLED));
    assertThat(cancelled.cancelled()).isNotNull();
    assertThat(sweeps.sweeps(A).getFirst().trialCounts()).isEqualTo(new SweepSummary.TrialCounts(3, 0, 0, 0, 0, 3));
    assertThatThrownBy(() -> sweeps.cancel(v.id(), A))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT));
    assertThatThrownBy(() -> sweeps.deploy(v.id(), "m", A))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT))
        .hasMessage("sweep " + v.id() + " has no succeeded trial with a finite val_loss");
  }
}
