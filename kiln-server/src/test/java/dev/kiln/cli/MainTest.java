package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;

  @Test
  void demoPassesEveryCheck() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = Main.commandLine().execute("demo", "--dir", dir.toString(), "--requests", "64");
    } finally {
      System.setOut(original);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("gRPC ModelInfer").contains("all checks passed").doesNotContain("FAIL");
  }

  @Test
  void serveOptionsParseWithTheirDefaults() {
    ServeCommand serve = new ServeCommand();
    new picocli.CommandLine(serve).registerConverter(Duration.class, Durations::parse)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs("--models", "m", "--model-control", "POLL", "--poll-interval", "500ms");
    assertThat(serve.httpPort).isEqualTo(8000);
    assertThat(serve.grpcPort).isEqualTo(8001);
    assertThat(serve.host).isEqualTo("127.0.0.1");
    assertThat(serve.pollInterval).isEqualTo(Duration.ofMillis(500));
    assertThat(serve.modelControl).isEqualTo(dev.kiln.server.ModelControl.POLL);
  }

  @Test
  void durationsAcceptHumanAndIsoForms() {
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("PT1S")).isEqualTo(Duration.ofSeconds(1));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Durations.parse("soon"))
        .hasMessageContaining("not a duration");
  }
}
