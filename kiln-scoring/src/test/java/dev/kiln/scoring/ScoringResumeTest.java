package dev.kiln.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.govern.store.Backend;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The crash proof: a job whose runner dies mid-part (its lease left to run out, as a killed replica leaves it) is taken
 * over and finished by another runner, and its output equals, byte for byte, that of a run never interrupted: no row
 * twice, none missing. Run on each database by {@link ScoringStoresTest}.
 */
abstract class ScoringResumeTest extends ScoringFixture {
  ScoringResumeTest(Backend backend) {
    super(backend);
  }

  @Test
  void aJobWhoseRunnerDiedMidPartResumesAfterItsLastCommittedPartAndWritesTheSameOutput() throws Exception {
    ScoringJob whole = submit(64);
    try (ScoringRunner runner = new ScoringRunner(store, work(), settings()).start()) {
      assertThat(awaitEnd(whole.id()).state()).isEqualTo(ScoringState.SUCCEEDED);
    }
    String expected = output(whole.id());

    // A replica claims the next job, commits two parts (1,024 rows: parts close at >= 500 rows, in batches of 64),
    // scores seven more batches, and dies: no release, no heartbeat, the 448 uncommitted rows gone with it.
    ScoringJob crashed = submit(64);
    ScoringJob claimed = store.claim("dead-replica", Instant.now(), settings().lease()).orElseThrow();
    assertThat(claimed.id()).isEqualTo(crashed.id());
    AtomicInteger batches = new AtomicInteger();
    assertThatThrownBy(() -> work().run(claimed, "dead-replica", () -> batches.incrementAndGet() > 23))
        .isInstanceOf(ScoringWork.Stopped.class);
    ScoringJob left = store.get(crashed.id()).orElseThrow();
    assertThat(left.state()).isEqualTo(ScoringState.RUNNING);
    assertThat(left.rowsDone()).isEqualTo(1024);
    assertThat(left.parts()).isEqualTo(2);

    try (ScoringRunner survivor = new ScoringRunner(store, work(), settings()).start()) {
      ScoringJob done = awaitEnd(crashed.id());
      assertThat(done.state()).as(String.valueOf(done.error())).isEqualTo(ScoringState.SUCCEEDED);
      assertThat(done.runs()).isEqualTo(2);
      assertThat(done.rowsDone()).isEqualTo(ROWS);
    }
    String resumed = output(crashed.id());
    assertThat(resumed).isEqualTo(expected);

    List<String> lines = resumed.lines().toList();
    assertThat(lines).hasSize(ROWS + 1);
    assertThat(lines.get(0)).isEqualTo("id,score,city");
    Set<String> ids = new HashSet<>();
    for (String line : lines.subList(1, lines.size())) {
      ids.add(line.substring(0, line.indexOf(',')));
    }
    assertThat(ids).hasSize(ROWS);
    // The predictions are the model's: score = age + 10 income + 100 height, row by row from the dataset.
    String[] first = people(1).lines().skip(1).findFirst().orElseThrow().split(",");
    float score = Float.parseFloat(first[1]) + 10 * Float.parseFloat(first[2]) + 100 * Float.parseFloat(first[3]);
    String[] out = lines.get(1).split(",");
    assertThat(out[0]).isEqualTo("p0");
    assertThat(Float.parseFloat(out[1])).isCloseTo(score, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(resumed).contains(",\"Tromsø, north\"\n");
  }

  @Test
  void aRunnerWhoseJobWasTakenOverCommitsNothing() {
    ScoringJob job = submit(64);
    store.claim("slow", Instant.now(), settings().lease()).orElseThrow();
    // Its lease runs out while it still works; another replica takes the job over.
    store.claim("fast", Instant.now().plus(settings().lease().multipliedBy(2)), settings().lease()).orElseThrow();
    ScoringPart late = new ScoringPart(0, "artifact-x", "0".repeat(64), 10, 64);

    assertThat(store.commit(job.id(), "slow", late, j -> j.committed(64, 64, java.time.Duration.ofSeconds(1))))
        .isEmpty();
    assertThat(store.commit(job.id(), "fast", late, j -> j.committed(64, 64, java.time.Duration.ofSeconds(1))))
        .isPresent();
    // And the same part twice is refused: the next part is number 1 now.
    assertThat(store.commit(job.id(), "fast", late, j -> j.committed(64, 64, java.time.Duration.ofSeconds(1))))
        .isEmpty();
    assertThat(store.parts(job.id())).hasSize(1);
    assertThat(store.get(job.id()).orElseThrow().rowsDone()).isEqualTo(64);
  }

  @Test
  void cancellingStopsARunningJobAtItsNextBatchAndAQueuedOneAtOnce() throws Exception {
    ScoringJob queued = submit(64);
    ScoringJob cancelled = store.update(queued.id(), j -> j.cancelled(Instant.now())).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(ScoringState.CANCELLED);
    assertThat(store.claim("r", Instant.now(), settings().lease())).isEmpty();

    ScoringJob slow = store.create(new ScoringRequest("tabular", "people", 1, 1, null), "alice", ROWS);
    try (ScoringRunner runner = new ScoringRunner(store, work(), settings()).start()) {
      while (store.get(slow.id()).orElseThrow().rowsDone() == 0) {
        Thread.sleep(5);
      }
      store.update(slow.id(), j -> j.cancelled(Instant.now()));
      runner.cancelLocal(slow.id());
      ScoringJob end = awaitEnd(slow.id());
      assertThat(end.state()).isEqualTo(ScoringState.CANCELLED);
      assertThat(end.rowsDone()).isLessThan(ROWS);
      assertThat(end.error()).isEqualTo("cancelled");
    }
  }

  @Test
  void rowsWithoutAnIdColumnAreNumberedFromZero() throws Exception {
    ScoringJob job = store.create(new ScoringRequest("tabular", "people", 1, 100, null), "alice", ROWS);
    try (ScoringRunner runner = new ScoringRunner(store, work(), settings()).start()) {
      assertThat(awaitEnd(job.id()).state()).isEqualTo(ScoringState.SUCCEEDED);
    }
    List<String> lines = output(job.id()).lines().toList();
    assertThat(lines.get(0)).isEqualTo("row,score,city");
    assertThat(Arrays.asList(lines.get(1).split(",")).get(0)).isEqualTo("0");
    assertThat(lines.get(ROWS).split(",")[0]).isEqualTo(Integer.toString(ROWS - 1));
  }
}
