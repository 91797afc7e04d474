package dev.kiln.training.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.StepProgress;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerTest {
  @TempDir Path dir;

  /** Trains nothing: reports {@code epochs} epochs, {@code pause} apart, honouring cancellation. */
  record FakeWork(int epochs, long pauseMs, AtomicInteger concurrent, AtomicInteger maxConcurrent) implements JobWork {
    FakeWork(int epochs, long pauseMs) {
      this(epochs, pauseMs, new AtomicInteger(), new AtomicInteger());
    }

    @Override
    public Result run(Job job, TrainingListener listener, BooleanSupplier cancelled) throws TrainingException {
      maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      try {
        int from = job.history().size() + 1;
        for (int e = from; e <= epochs; e++) {
          for (int s = 1; s <= 5; s++) {
            if (cancelled.getAsBoolean()) {
              throw new TrainingException.Cancelled();
            }
            sleep(pauseMs / 5);
            listener.onStep(new StepProgress(e, epochs, s, 5, 1.0 / e, 100, 0.1 * s));
          }
          listener.onEpoch(new EpochMetrics(e, epochs, 1.0 / e, 0.5, 1.0 / e, 0.5, 0.1));
        }
        if (job.request().dataset().equals("broken")) {
          throw new TrainingException("the data is broken");
        }
        return new Result(List.of(), null, null);
      } finally {
        concurrent.decrementAndGet();
      }
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static JobRequest request(String dataset) {
    return new JobRequest(dataset, 1, FileJobStoreTest.REQUEST.model(), null, null);
  }

  static Job await(JobStore store, long id, JobState state) throws InterruptedException {
    long until = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < until) {
      Job j = store.get(id).orElseThrow();
      if (j.state() == state) {
        return j;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("job " + id + " never reached " + state + ": " + store.get(id).orElseThrow());
  }

  @Test
  void runsQueuedJobsToSuccessWithEventsAndStoredHistory() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    JobEvents events = new JobEvents();
    List<String> seen = new CopyOnWriteArrayList<>();
    long id = store.create(request("digits")).id();
    events.watch(id, e -> seen.add(e.type()));
    try (JobRunner runner =
        new JobRunner(store, new FakeWork(3, 50), events, 1, Duration.ofSeconds(5), Duration.ofSeconds(1)).start()) {
      Job done = await(store, id, JobState.SUCCEEDED);
      assertThat(done.history()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
      assertThat(done.finished()).isAfterOrEqualTo(done.started());
      // Every step, numbered across epochs, with the loss its step event carried.
      assertThat(done.steps())
          .extracting(StepLoss::step)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
      assertThat(done.steps().get(7)).isEqualTo(new StepLoss(8, 2, 0.5));
    }
    assertThat(seen).contains("state", "step", "epoch").endsWith("state");
  }

  @Test
  void aFailingJobIsFailedWithItsReasonAndTheNextOneRuns() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    long bad = store.create(request("broken")).id();
    long good = store.create(request("digits")).id();
    try (JobRunner runner =
        new JobRunner(store, new FakeWork(1, 10), new JobEvents(), 1, Duration.ofSeconds(5), Duration.ofSeconds(1))
            .start()) {
      assertThat(await(store, bad, JobState.FAILED).error()).isEqualTo("the data is broken");
      await(store, good, JobState.SUCCEEDED);
    }
  }

  @Test
  void neverRunsMoreJobsAtOnceThanItsConcurrency() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    FakeWork work = new FakeWork(2, 100);
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(store.create(request("digits")).id());
    }
    try (JobRunner runner =
        new JobRunner(store, work, new JobEvents(), 2, Duration.ofSeconds(5), Duration.ofSeconds(1)).start()) {
      for (long id : ids) {
        await(store, id, JobState.SUCCEEDED);
      }
    }
    assertThat(work.maxConcurrent().get()).isEqualTo(2);
  }

  @Test
  void closingPutsRunningJobsBackInTheQueueAndANewRunnerFinishesThem() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    long id = store.create(request("digits")).id();
    JobRunner first =
        new JobRunner(store, new FakeWork(50, 100), new JobEvents(), 1, Duration.ofSeconds(5), Duration.ofSeconds(1))
            .start();
    await(store, id, JobState.RUNNING);
    Thread.sleep(250);
    first.close();
    Job released = store.get(id).orElseThrow();
    assertThat(released.state()).isEqualTo(JobState.QUEUED);
    assertThat(released.owner()).isNull();
    assertThat(released.steps()).isNotEmpty();
    try (JobRunner second =
        new JobRunner(store, new FakeWork(3, 10), new JobEvents(), 1, Duration.ofSeconds(5), Duration.ofSeconds(1))
            .start()) {
      Job done = await(store, id, JobState.SUCCEEDED);
      // The second runner went on from the first one's steps: one point per step, none twice.
      List<Long> steps = done.steps().stream().map(StepLoss::step).toList();
      assertThat(steps).doesNotHaveDuplicates().isSorted().startsWith(1L, 2L).endsWith(15L);
    }
  }

  @Test
  void aJobWhoseRunnerDiedIsTakenOverAfterItsLease() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    long id = store.create(request("digits")).id();
    // What a crashed process leaves: the job running under it, its heartbeat going stale.
    store.claim("dead-process", Instant.now().minusSeconds(60), Duration.ofSeconds(2));
    assertThat(store.get(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    try (JobRunner runner =
        new JobRunner(store, new FakeWork(2, 10), new JobEvents(), 1, Duration.ofSeconds(2), Duration.ofMillis(500))
            .start()) {
      Job done = await(store, id, JobState.SUCCEEDED);
      assertThat(done.owner()).isNotEqualTo("dead-process");
    }
  }

  @Test
  void aCancelRequestedThroughTheStoreStopsTheJobOnItsRunner() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    long id = store.create(request("digits")).id();
    try (JobRunner runner =
        new JobRunner(store, new FakeWork(100, 100), new JobEvents(), 1, Duration.ofSeconds(3), Duration.ofMillis(200))
            .start()) {
      await(store, id, JobState.RUNNING);
      store.update(id, Job::cancelRequestedNow); // as another replica's API would
      assertThat(await(store, id, JobState.CANCELLED).history().size()).isLessThan(100);
    }
  }
}
