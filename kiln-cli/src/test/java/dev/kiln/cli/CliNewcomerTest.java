package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** What a first-time user of the CLI meets: help on every command, and errors that say what to do next. */
class CliNewcomerTest {
  @TempDir Path repo;
  @TempDir Path data;
  @TempDir Path files;
  @TempDir Path training;
  Kiln kiln;
  String url;
  String admin;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withGovernance(GovernanceConfig.defaults(data).withAuth(true))
                .withTraining(TrainingConfig.defaults(training)));
    url = "http://127.0.0.1:" + kiln.httpPort();
    admin = kiln.bootstrapToken().orElseThrow();
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  static Run kiln(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      StringWriter help = new StringWriter();
      cli.setOut(new PrintWriter(help, true));
      cli.setErr(new PrintWriter(err, true));
      int exit = cli.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8) + help, err.toString());
    } finally {
      System.setOut(saved);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "datasets",
        "jobs",
        "keys",
        "models",
        "master-key",
        "train",
        "deploy",
        "usage",
        "audit",
        "serve",
        "demo"
      })
  void everyCommandAnswersHelpWithItsUsage(String command) {
    Run r = kiln(command, "--help");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Usage: kiln " + command);
    assertThat(r.err()).isEmpty();
  }

  @Test
  void subcommandsAnswerHelpToo() {
    for (List<String> sub :
        List.of(
            List.of("jobs", "list"),
            List.of("keys", "revoke"),
            List.of("datasets", "add"),
            List.of("models", "push"),
            List.of("master-key", "new"))) {
      Run r = kiln(sub.get(0), sub.get(1), "--help");
      assertThat(r.exit()).as(sub + ": " + r.err()).isZero();
      assertThat(r.out()).contains("Usage: kiln " + sub.get(0) + " " + sub.get(1));
    }
  }

  @Test
  void trainHelpDescribesEveryOptionAndAsksForNothing() {
    Run r = kiln("train", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.err()).doesNotContain("Missing required");
    // Each option line carries a description after the option name.
    for (String option : List.of("--epochs", "--batch-size", "--seed", "--validation-split", "--test-split")) {
      List<String> lines = r.out().lines().map(String::strip).toList();
      int at =
          java.util.stream.IntStream.range(0, lines.size())
              .filter(i -> lines.get(i).startsWith(option + "="))
              .findFirst()
              .orElseThrow();
      // The description follows on the option's line, or on the next when the option name is long.
      String described = lines.get(at).replaceFirst("^\\S+", "").strip();
      if (described.isEmpty() && at + 1 < lines.size() && !lines.get(at + 1).startsWith("-")) {
        described = lines.get(at + 1);
      }
      assertThat(described).as(option).isNotBlank();
    }
  }

  @Test
  void badPreparationNamesAreRefusedBeforeSendingWithTheAllowedOnes() throws Exception {
    Path spec = Files.writeString(files.resolve("m.yaml"), "type: logistic_regression\n");
    // No server at this URL: the check must come first.
    Run scaling =
        kiln(
            "train", "--dataset", "d", "--model", spec.toString(), "--scaling", "minmx", "--url", "http://127.0.0.1:9");
    assertThat(scaling.exit()).isEqualTo(2);
    assertThat(scaling.err()).contains("--scaling", "minmx", "standard, minmax, none").doesNotContain("no Kiln server");
    Run missing =
        kiln("train", "--dataset", "d", "--model", spec.toString(), "--missing", "avg", "--url", "http://127.0.0.1:9");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("--missing", "avg", "error, drop, mean, median, mode");
  }

  @Test
  void aRefusedListPrintsNoTableAndSaysHowToPassAKey() {
    for (List<String> list :
        List.of(
            List.of("jobs", "list"),
            List.of("keys", "list"),
            List.of("models", "list"),
            List.of("datasets", "list"),
            List.of("usage"))) {
      String[] args =
          java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of("--url", url))
              .toArray(String[]::new);
      Run r = kiln(args);
      assertThat(r.exit()).as(list.toString()).isEqualTo(2);
      assertThat(r.out()).as(list.toString()).isEmpty();
      assertThat(r.err()).as(list.toString()).contains("HTTP 401", "--key", "KILN_API_KEY");
    }
  }

  @Test
  void revokingAnUnknownKeySaysThereIsNoSuchKey() {
    Run r = kiln("keys", "revoke", "nosuchkey", "--url", url, "--key", admin);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("HTTP 404", "no key nosuchkey").doesNotContain("route");
    Run issuedForm = kiln("keys", "rotate", "abcdefghijkl", "--url", url, "--key", admin);
    assertThat(issuedForm.err()).contains("HTTP 404", "no key abcdefghijkl");
  }
}
