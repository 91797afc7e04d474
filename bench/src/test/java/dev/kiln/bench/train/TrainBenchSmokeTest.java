package dev.kiln.bench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the training comparison on a few hundred images for one epoch, so a broken harness shows up in {@code mvn
 * verify}. Asserts that it runs and reports, never timings.
 */
class TrainBenchSmokeTest {
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir Path dir;

  @Test
  void kilnTrainsTheMlpAndReports() {
    String report = run("--no-python");
    assertThat(report).contains("| mlp | 1 |").contains("mlp Kiln, 1 thread(s), repetition 1");
  }

  @Test
  void pytorchTrainsTheSameMlpOnTheSameFile() {
    boolean torch = TorchSide.available(PYTHON);
    // .ci/run installs Debian's python3-torch: under CI a missing torch is a broken machine, not a reason to skip.
    assertThat(torch || !"true".equals(System.getenv("CI")))
        .as("python3-torch is required under CI (" + PYTHON + " -c 'import torch' failed)")
        .isTrue();
    assumeThat(torch).as(PYTHON + " -c 'import torch'").isTrue();
    String report = run("--python", PYTHON);
    assertThat(report).contains("mlp PyTorch, 1 thread(s), repetition 1").doesNotContain("NaN");
  }

  @Test
  void dataFileHoldsTheHeaderAndBothSplits() throws Exception {
    StrokeDigits d = StrokeDigits.generate(5, 3, 1, 2.0, 0.4);
    Path file = dir.resolve("d.bin");
    d.write(file);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.remaining()).isEqualTo(16 + 4 * (8 * StrokeDigits.PIXELS + 8));
    assertThat(new int[] {b.getInt(), b.getInt(), b.getInt(), b.getInt()}).containsExactly(5, 3, 28, 28);
    assertThat(b.getFloat(16)).isEqualTo(d.trainX()[0]);
    assertThat(b.getInt(16 + 4 * 5 * StrokeDigits.PIXELS)).isEqualTo(d.trainY()[0]);
  }

  private String run(String... extra) {
    String[] common = {
      "--models",
      "mlp",
      "--epochs",
      "1",
      "--repetitions",
      "1",
      "--train",
      "256",
      "--test",
      "64",
      "--work-dir",
      dir.toString(),
      "--djl-cache",
      "target/djl-cache",
      "--script",
      "train_torch.py"
    };
    String[] args =
        java.util.stream.Stream.concat(java.util.Arrays.stream(common), java.util.Arrays.stream(extra))
            .toArray(String[]::new);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int rc = TrainBench.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), args);
    String report = bytes.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(report).isZero();
    return report;
  }
}
