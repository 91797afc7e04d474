package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln predict} as a real child process against a real server, killed with SIGKILL mid-run and resumed: the
 * output equals an uninterrupted run's byte for byte, for CSV and for Parquet.
 */
class PredictCrashTest extends ClassifierServerCli {
  static final int ROWS = 20_000;

  @Test
  void aCsvRunKilledMidWayAndResumedEqualsAnUninterruptedOne() throws Exception {
    Path in = Files.writeString(files.resolve("big.csv"), rows(ROWS, new Random(11)));
    // Killed once some batches are on disk: at least 500 lines written, fewer than all.
    killedAndResumed(in, files.resolve("out.csv"), out -> Files.exists(out) && Files.size(out) > 500 * 20);
  }

  @Test
  void aParquetRunKilledMidWayAndResumedEqualsAnUninterruptedOne() throws Exception {
    Path csv = Files.writeString(files.resolve("big.csv"), rows(ROWS, new Random(11)));
    Path in = ParquetPredictCliTest.asParquet(csv, files.resolve("big.parquet"));
    // Killed once two parts (of 64 batches of 20 rows each) are committed.
    killedAndResumed(
        in,
        files.resolve("out.parquet"),
        out -> {
          Path parts = ParquetPredictions.parts(out);
          if (!Files.isDirectory(parts)) {
            return false;
          }
          try (Stream<Path> list = Files.list(parts)) {
            return list.filter(p -> p.toString().endsWith(".parquet")).count() >= 2;
          }
        });
  }

  interface Probe {
    boolean test(Path out) throws Exception;
  }

  private void killedAndResumed(Path in, Path out, Probe farEnough) throws Exception {
    Path full = out.resolveSibling("full-" + out.getFileName());
    Process whole = cli(in, full);
    assertThat(whole.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(whole.exitValue()).as(log(full)).isZero();

    Process killed = cli(in, out);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!farEnough.test(out) && killed.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(killed.isAlive()).as("still running when killed: " + log(out)).isTrue();
    killed.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block
    assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(killed.exitValue()).isEqualTo(137);
    assertThat(Files.exists(out) ? Files.mismatch(full, out) : 0L).as("unfinished").isNotEqualTo(-1L);

    Process resumed = cli(in, out, "--resume");
    assertThat(resumed.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(resumed.exitValue()).as(log(out)).isZero();
    assertThat(log(out)).containsPattern("scored " + ROWS + " rows \\([0-9]+ this run");
    assertThat(Files.mismatch(full, out)).as("the first byte that differs").isEqualTo(-1L);
  }

  /** {@code kiln predict} in a JVM of its own, its output and errors in {@code OUT.log}. */
  private Process cli(Path in, Path out, String... more) throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "predict",
                "--model",
                "pm",
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--batch-size",
                "20",
                "--url",
                url));
    command.addAll(List.of(more));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(out).toFile()))
        .start();
  }

  private static Path logFile(Path out) {
    return out.resolveSibling(out.getFileName() + ".log");
  }

  private static String log(Path out) throws Exception {
    return Files.exists(logFile(out)) ? Files.readString(logFile(out)) : "";
  }
}
