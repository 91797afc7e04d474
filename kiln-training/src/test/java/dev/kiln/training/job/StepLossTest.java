package dev.kiln.training.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StepLossTest {
  private static List<StepLoss> run(List<StepLoss> from, long firstStep, long lastStep, int stepsPerEpoch) {
    List<StepLoss> h = from;
    for (long s = firstStep; s <= lastStep; s++) {
      h = StepLoss.add(h, new StepLoss(s, (int) ((s - 1) / stepsPerEpoch) + 1, 1.0 / s));
    }
    return h;
  }

  @Test
  void everyStepIsKeptUpToTheLimit() {
    List<StepLoss> h = run(List.of(), 1, StepLoss.MAX_POINTS, 100);

    assertThat(h).hasSize(StepLoss.MAX_POINTS);
    assertThat(h.get(0)).isEqualTo(new StepLoss(1, 1, 1.0));
    assertThat(h.get(499)).isEqualTo(new StepLoss(500, 5, 1.0 / 500));
  }

  @Test
  void aLongRunKeepsAtMostTheLimitEvenlySpacedOverTheWholeRun() {
    List<StepLoss> h = run(List.of(), 1, 100_000, 1_000);

    assertThat(h).hasSizeBetween(StepLoss.MAX_POINTS / 2, StepLoss.MAX_POINTS);
    long gap = h.get(1).step() - h.get(0).step();
    for (int i = 1; i < h.size() - 1; i++) {
      assertThat(h.get(i).step() - h.get(i - 1).step()).isEqualTo(gap);
    }
    assertThat(h.get(0).step()).isEqualTo(gap); // from the start of the run...
    assertThat(h.getLast()).isEqualTo(new StepLoss(100_000, 100, 1.0 / 100_000)); // ...to the newest step
    assertThat(h.getLast().step() - h.get(h.size() - 2).step()).isBetween(1L, gap);
  }

  @Test
  void stepsReportedAtTheEnginesOwnPaceAreKeptWhileThereIsRoomThenSpreadEvenly() {
    Random random = new Random(14);
    List<StepLoss> h = List.of();
    List<Long> reported = new ArrayList<>();
    for (long s = random.nextInt(30) + 1; s <= 40_000; s += random.nextInt(30) + 1) {
      h = StepLoss.add(h, new StepLoss(s, 1, 1.0 / s));
      reported.add(s);
      if (s <= StepLoss.MAX_POINTS) {
        assertThat(h).extracting(StepLoss::step).containsExactlyElementsOf(reported); // no step lost while room
      }
      assertThat(h).hasSizeLessThanOrEqualTo(StepLoss.MAX_POINTS);
    }
    assertThat(h.getLast().step()).isEqualTo(reported.getLast());
    // Spread over the whole run: no stretch of 1/50 of it without a point.
    for (int i = 1; i < h.size(); i++) {
      assertThat(h.get(i).step() - h.get(i - 1).step()).isLessThan(40_000 / 50);
    }
    assertThat(h.getFirst().step()).isLessThan(40_000 / 50);
  }

  @Test
  void aResumedRunReplacesTheStepsItRepeats() {
    List<StepLoss> first = run(List.of(), 1, 30, 10); // three epochs; the checkpoint was after epoch 2
    List<StepLoss> resumed = run(first, 21, 40, 10);

    assertThat(resumed).extracting(StepLoss::step).containsExactlyElementsOf(range(1, 40));
    assertThat(resumed.get(25)).isEqualTo(new StepLoss(26, 3, 1.0 / 26));
  }

  @Test
  void aResumeAfterThinningKeepsTheSpacing() {
    List<StepLoss> first = run(List.of(), 1, 1_200, 100);
    long gap = first.get(1).step() - first.get(0).step();
    List<StepLoss> resumed = run(first, 1_101, 1_400, 100);

    assertThat(resumed).hasSizeLessThanOrEqualTo(StepLoss.MAX_POINTS);
    for (int i = 1; i < resumed.size(); i++) {
      assertThat(resumed.get(i).step() - resumed.get(i - 1).step()).isEqualTo(gap);
    }
    assertThat(resumed.getLast().step()).isEqualTo(1_400);
  }

  @Test
  void aJobStoredBeforeStepsWereKeptReadsWithNone() throws Exception {
    Job job = Job.queued(7, JobRunnerTest.request("digits"), "key-a", null, Instant.now());
    ObjectNode stored = JobJson.MAPPER.valueToTree(job.withProgress(null, run(List.of(), 1, 3, 10)));
    assertThat(stored.get("steps").get(2).toString()).isEqualTo("{\"step\":3,\"epoch\":1,\"loss\":" + 1.0 / 3 + "}");

    stored.remove("steps");
    Job old = JobJson.MAPPER.treeToValue(stored, Job.class);

    assertThat(old.steps()).isEmpty();
    assertThat(old.id()).isEqualTo(7);
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
