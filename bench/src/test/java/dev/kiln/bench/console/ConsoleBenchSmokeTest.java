package dev.kiln.bench.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A small installation through {@code bench/console}, so a broken seed or list request shows up in {@code mvn verify}:
 * every row answers 200 with the page and the total the seed implies. Asserts counts, never timings.
 */
class ConsoleBenchSmokeTest {
  private static final String[] SMALL = {
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
    "1"
  };

  @Test
  void aSmallSeededInstallationAnswersEveryListWithItsPageAndTotal() {
    String report = run(SMALL);
    assertThat(report)
        .contains("| jobs, first page | `GET /api/v1/jobs?limit=50` | 50 | 120 |")
        .contains("| jobs by state | `GET /api/v1/jobs?state=failed&limit=50` | 30 | 30 |")
        .contains("| models, first page | `GET /api/v1/models?limit=50` | 50 | 60 |")
        .contains("| models, whole list (no paging) | `GET /api/v1/models` | 60 | 60 |")
        .contains("| audit, deep page | `GET /api/v1/audit?limit=50&offset=250` |")
        .contains("| datasets, whole list (no paging) | `GET /api/v1/datasets` | 2 | 2 |")
        .contains("| keys, first page | `GET /api/v1/keys?limit=50` | 3 | 3 |");
  }

  /**
   * {@code --browser}: the console's pages in Chromium on the small installation and a tiny one, each page's row with
   * its API requests and JSON bytes. Needs node, npm and Chromium; under CI their absence is a failure, not a skip.
   */
  @Test
  void theBrowserPartTimesEachFinishedPageOnBothInstallations() {
    ConsolePages.missingTools()
        .ifPresent(why -> {
          assertThat(System.getenv("CI")).as(why + ": required under CI").isNotEqualTo("true");
          Assumptions.abort(why);
        });
    String[] browser = {"--browser", "--browser-runs", "1", "--browser-timeout-ms", "5000"};
    String[] args = Arrays.copyOf(SMALL, SMALL.length + browser.length);
    System.arraycopy(browser, 0, args, SMALL.length, browser.length);
    String report = run(args);
    // A page's row: name, route, median, max, requests, bytes, tiny median, tiny bytes (numbers, not "-").
    String measured = " [0-9]+ \\| [0-9]+ \\| [1-9][0-9]* \\| [0-9,]+ \\| [0-9]+ \\| [0-9,]+ \\|";
    assertThat(report)
        .containsPattern("\\| overview \\| `#/` \\|" + measured)
        .containsPattern("\\| models \\| `#/models` \\|" + measured)
        .containsPattern("\\| one model \\| `#/models/model-[0-9]+` \\|" + measured)
        .containsPattern("\\| audit \\| `#/audit` \\|" + measured)
        .containsPattern("\\| audit by action \\| `#/audit\\?action=model.alias` \\|" + measured)
        .containsPattern("\\| jobs \\| `#/jobs` \\|" + measured)
        .containsPattern("\\| jobs, failed \\| `#/jobs\\?state=failed` \\|" + measured)
        .containsPattern("\\| one job \\| `#/jobs/[0-9]+` \\|" + measured)
        .containsPattern("\\| usage \\| `#/usage` \\|" + measured)
        .containsPattern("\\| keys \\| `#/keys` \\|" + measured)
        .containsPattern("\\| datasets \\| `#/datasets` \\|" + measured);
  }

  private static String run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new ConsoleBench()).execute(args);
    } finally {
      System.setOut(original);
    }
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(report).isZero();
    return report;
  }
}
