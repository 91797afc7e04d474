package dev.kiln.bench.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the language-model benchmark on the tiny model with 1 and 2 streams of a few tokens, so a broken harness shows
 * up in {@code mvn verify}. Asserts that both sides stream every token and report, never timings.
 */
class LlmBenchSmokeTest {
  @TempDir Path dir;

  @Test
  void bothSidesStreamEveryTokenAndReport() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int rc =
        LlmBench.run(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            "--concurrency",
            "1,2",
            "--rounds",
            "1",
            "--warmup",
            "0",
            "--tokens",
            "8",
            "--slots",
            "2",
            "--context",
            "128",
            "--work-dir",
            dir.toString());
    String report = bytes.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(report).isZero();
    assertThat(report)
        .contains("## Language models")
        .contains("| 1 | in-process |")
        .contains("| 1 | kiln |")
        .contains("| 1 | child-process |")
        .contains("| 2 | child-process |")
        .contains("| 2 | in-process |")
        .contains("| 2 | kiln |")
        .doesNotContain("NaN");
    // Every stream got all 8 tokens, on every side, at both concurrencies.
    assertThat(report.lines().filter(l -> l.matches("\\| [12] \\| .*\\| 8 \\|.*"))).hasSize(6);
  }

  @Test
  void percentilesTakeTheNearestRank() {
    double[] v = {5, 1, 4, 2, 3};
    assertThat(CellStats.percentile(v, 50)).isEqualTo(3);
    assertThat(CellStats.percentile(v, 95)).isEqualTo(5);
    assertThat(CellStats.percentile(new double[0], 50)).isNaN();
  }
}
