package dev.kiln.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleFilesTest {
  private final ConsoleFiles jar = new ConsoleFiles(Optional.empty());

  @Test
  void servesThePageItsModulesAndUplotWithTheirTypes() {
    assertThat(jar.find("index.html").orElseThrow().contentType()).startsWith("text/html");
    assertThat(new String(jar.find("index.html").orElseThrow().bytes(), StandardCharsets.UTF_8))
        .contains("<script type=\"module\" src=\"/console/app.js\">");
    assertThat(jar.find("app.js").orElseThrow().contentType()).startsWith("text/javascript");
    assertThat(jar.find("pages/overview.js")).isPresent();
    assertThat(jar.find("vendor/uplot/uPlot.esm.js").orElseThrow().bytes().length).isGreaterThan(10_000);
    assertThat(jar.find("vendor/uplot/uPlot.min.css").orElseThrow().contentType()).startsWith("text/css");
  }

  @Test
  void refusesNamesOutsideTheConsoleAndUnknownKinds() {
    assertThat(jar.find("../ConsoleService.class")).isEmpty();
    assertThat(jar.find("pages/../../../dev/kiln/console/ConsoleService.class")).isEmpty();
    assertThat(jar.find("/etc/passwd")).isEmpty();
    assertThat(jar.find("vendor/uplot/../../../../../../META-INF/MANIFEST.MF")).isEmpty();
    assertThat(jar.find("app.js.map")).isEmpty();
    assertThat(jar.find("nothing.js")).isEmpty();
    assertThat(jar.find("")).isEmpty();
  }

  @Test
  void aDevelopmentFolderIsReadOnEveryRequest(@TempDir Path dir) throws Exception {
    ConsoleFiles dev = new ConsoleFiles(Optional.of(dir));
    Files.writeString(dir.resolve("app.js"), "one");
    assertThat(dev.find("app.js").orElseThrow().bytes()).isEqualTo("one".getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("app.js"), "two");
    assertThat(dev.find("app.js").orElseThrow().bytes()).isEqualTo("two".getBytes(StandardCharsets.UTF_8));
    assertThat(dev.find("vendor/uplot/uPlot.esm.js")).as("vendor files still come from the webjar").isPresent();
  }
}
