package dev.kiln.cli;

import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A real server with training on, and the {@code kiln} command run in-process against it: what a user types and reads.
 */
abstract class TrainingServerCli {
  @TempDir Path repo;
  @TempDir Path data;
  @TempDir Path files;
  Kiln kiln;
  String url;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withTraining(TrainingConfig.defaults(data)));
    url = "http://127.0.0.1:" + kiln.httpPort();
  }

  @AfterEach
  void stop() {
    kiln.close();
  }

  Run kiln(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      cli.setErr(new PrintWriter(err, true));
      int exit = cli.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
    }
  }
}
