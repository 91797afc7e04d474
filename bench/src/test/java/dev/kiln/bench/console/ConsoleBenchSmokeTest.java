package dev.kiln.bench.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A small installation through {@code bench/console}, so a broken seed or list request shows up in {@code mvn verify}:
 * every row answers 200 with the page and the total the seed implies. Asserts counts, never timings.
 */
class ConsoleBenchSmokeTest {
  @Test
  void aSmallSeededInstallationAnswersEveryListWithItsPageAndTotal() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code =
          new CommandLine(new ConsoleBench())
              .execute(
                  "--models",
                  "60",
                  "--jobs",
                  "120",
                  "--audit",
                  "300",
                  "--keys",
                  "2",
                  "--datasets",
                  "2",
                  "--requests",
                  "2",
                  "--warmup",
                  "1");
    } finally {
      System.setOut(original);
    }
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(report).isZero();
    assertThat(report)
        .contains("| jobs, first page | `GET /api/v1/jobs?limit=50` | 50 | 120 |")
        .contains("| jobs by state | `GET /api/v1/jobs?state=failed&limit=50` | 30 | 30 |")
        .contains("| models, first page | `GET /api/v1/models?limit=50` | 50 | 60 |")
        .contains("| models, whole list (no paging) | `GET /api/v1/models` | 60 | 60 |")
        .contains("| audit, deep page | `GET /api/v1/audit?limit=50&offset=250` |")
        .contains("| datasets, whole list (no paging) | `GET /api/v1/datasets` | 2 | 2 |")
        .contains("| keys, first page | `GET /api/v1/keys?limit=50` | 3 | 3 |");
  }
}
