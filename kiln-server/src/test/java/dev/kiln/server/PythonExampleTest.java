package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code examples/python/train_and_predict.py} runs as a user would run it, with Debian's {@code /usr/bin/python3} and
 * no packages beyond the standard library, against a real server with auth on: upload, train, wait, deploy, predict.
 * Under CI a missing python3 is a failure, not a skip.
 */
class PythonExampleTest extends GovernanceServerFixture {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path EXAMPLE = Path.of("../examples/python/train_and_predict.py");

  @Test
  void theStandardLibraryExampleUploadsTrainsDeploysAndPredicts() throws Exception {
    if (!Files.isExecutable(PYTHON)) {
      assertThat(System.getenv("CI")).as("/usr/bin/python3 is required under CI").isNotEqualTo("true");
      Assumptions.abort("/usr/bin/python3 not found");
    }
    start(true);
    String key = key("python-example", "train", "manage:points", "invoke:points");
    ProcessBuilder pb =
        new ProcessBuilder(PYTHON.toString(), EXAMPLE.toString(), "--url", "http://127.0.0.1:" + kiln.httpPort())
            .redirectErrorStream(true);
    pb.environment().put("KILN_API_KEY", key);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("dataset points v1: 110 rows")
        .contains("SUCCEEDED")
        .contains("deployed as points version 1")
        .contains("[1.0, 2.0] -> low")
        .contains("[9.0, 8.0] -> high");
  }
}
