package dev.kiln.bench.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the fairness mode with a flood of 12 short chats, so a broken harness shows up; asserts rows, never timings. */
class LlmFairnessSmokeTest {
  @TempDir Path dir;

  @Test
  void everyModeReportsARow() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int rc =
        LlmFairness.run(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            "--flood",
            "12",
            "--tokens",
            "4",
            "--rounds",
            "1",
            "--slots",
            "2",
            "--work-dir",
            dir.toString());
    String report = bytes.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(report).isZero();
    assertThat(report)
        .contains("| B alone | 64 / 32 |")
        .contains("| default share | 64 / 32 |")
        .contains("| whole flood queued | 28 / 12 |")
        .contains("B with A's key (first come, first served) | 28 / 12 |")
        .contains("{200=12}");
  }
}
