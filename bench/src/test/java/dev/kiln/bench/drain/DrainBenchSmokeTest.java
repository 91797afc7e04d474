package dev.kiln.bench.drain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * One short round of {@code bench/drain} against a real child server, so a broken client or report shows up in {@code
 * mvn verify}. Asserts the drain's outcome (nothing in flight lost, exit 0, streams ended by the server), never
 * timings.
 */
class DrainBenchSmokeTest {
  @Test
  void aShortRoundLosesNothingInFlightAndTheServerExitsZero() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code =
          new CommandLine(new DrainBench())
              .execute("--load", "1s", "--rest-clients", "2", "--grpc-clients", "2", "--stream-clients", "1");
    } finally {
      System.setOut(original);
    }
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(report).isZero();
    String row = report.lines().filter(l -> l.startsWith("| 1 |")).findFirst().orElseThrow();
    assertThat(row).contains("UNAVAILABLE \"server is shutting down\"").contains("| 0 |");
  }
}
