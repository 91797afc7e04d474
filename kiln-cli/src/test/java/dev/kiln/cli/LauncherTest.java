package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code kiln} launcher's JDK and home lookup ({@code bin/jdk.sh}, sourced first by {@code ./kiln}). */
class LauncherTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void findsAJdkAndAHomeWhenHomeIsUnset() throws Exception {
    assertThat(ROOT.resolve("bin/jdk.sh")).exists();
    // As ./kiln runs it: strict mode, then sourced; JAVA_HOME points at the JDK running this test.
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash", "-c", "set -euo pipefail; . bin/jdk.sh; printf '%s\\n%s\\n' \"$HOME\" \"$JAVA_HOME\"")
            .directory(ROOT.toFile())
            .redirectErrorStream(true);
    pb.environment().remove("HOME");
    pb.environment().put("KILN_JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines).as(out).hasSize(2);
    assertThat(Path.of(lines.get(0))).isAbsolute().isDirectory();
    assertThat(Files.isExecutable(Path.of(lines.get(1), "bin", "javac"))).as(out).isTrue();
  }
}
