package dev.kiln.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every mode for a fraction of a second against a real server, so a broken client, request encoding or answer
 * check shows up in {@code mvn verify}. Asserts correctness only, never timings.
 */
class LoadBenchSmokeTest {
  @Test
  void everyModeGetsCorrectAnswersWithoutErrors(@TempDir Path root) throws Exception {
    Workload workload = Workload.create(8, 42);
    // A warm-up long enough for a client's first call (connection, class loading) on a busy two-core machine;
    // with 150 ms the first gRPC call could still be running when the window closed, leaving nothing counted.
    ClosedLoop loop = new ClosedLoop(workload, Duration.ofSeconds(1), Duration.ofMillis(300), 4);
    List<Cell> cells =
        List.of(
            new Cell(Mode.IN_PROCESS, 2, OptionalLong.empty()),
            new Cell(Mode.IN_PROCESS_HEAP, 2, OptionalLong.empty()),
            new Cell(Mode.REST_JSON, 2, OptionalLong.empty()),
            new Cell(Mode.REST_BINARY, 2, OptionalLong.of(0)),
            new Cell(Mode.GRPC, 2, OptionalLong.of(0)),
            new Cell(Mode.GRPC_DIRECT, 2, OptionalLong.empty()),
            new Cell(Mode.REST_JSON_AUTH, 2, OptionalLong.empty()),
            new Cell(Mode.REST_BINARY_AUTH, 2, OptionalLong.of(0)),
            new Cell(Mode.REST_BINARY_AUTH_LIMITED, 2, OptionalLong.empty()));
    try (BenchRun run = BenchRun.start(workload, root, 8, new long[] {0})) {
      for (Cell cell : cells) {
        CellResult r = run.run(cell, loop);
        assertThat(r.client().errors()).as(cell + ": " + r.client().firstError()).isZero();
        assertThat(r.client().requests()).as(cell.toString()).isPositive();
      }
    }
  }

  @Test
  void eachRoundRotatesTheModesOfACellGroup() {
    Cell a = new Cell(Mode.REST_BINARY, 16, OptionalLong.of(0));
    Cell b = new Cell(Mode.REST_BINARY_AUTH, 16, OptionalLong.of(0));
    Cell c = new Cell(Mode.REST_BINARY_AUTH_LIMITED, 16, OptionalLong.of(0));
    Cell d = new Cell(Mode.REST_BINARY, 1, OptionalLong.empty());
    List<Cell> plan = List.of(a, b, c, d);
    assertThat(LoadBench.roundOrder(plan, 1)).containsExactly(a, b, c, d);
    assertThat(LoadBench.roundOrder(plan, 2)).containsExactly(b, c, a, d);
    assertThat(LoadBench.roundOrder(plan, 3)).containsExactly(c, a, b, d);
    assertThat(LoadBench.roundOrder(plan, 4)).containsExactly(a, b, c, d);
  }

  @Test
  void aWrongAnswerIsReportedAsAMismatch() {
    Workload workload = Workload.create(2, 42);
    float[] answer = workload.expected()[1].clone();
    assertThat(workload.mismatch(1, answer)).isNull();
    answer[3] += 0.01f;
    assertThat(workload.mismatch(1, answer)).contains("row 1");
    assertThat(workload.mismatch(1, new float[3])).contains("3 logits");
  }
}
