package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kiln scoring submit --watch}, {@code list}, {@code show}, {@code download}, {@code cancel}, as typed. */
class ScoringCliTest {
  @TempDir Path repo;
  @TempDir Path data;
  @TempDir Path out;
  Kiln kiln;
  String url;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    ExampleModels.write(repo, "tab", 1, ExampleModels.tabular());
    Path key = data.resolve("master.key");
    MasterKeys.generate(key);
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withGovernance(GovernanceConfig.defaults(data).withAuth(false).withMasterKey(key))
                .withTraining(TrainingConfig.defaults(data)));
    url = "http://127.0.0.1:" + kiln.httpPort();
    StringBuilder csv = new StringBuilder("id,age,income,height,city,label\n");
    for (int i = 0; i < 300; i++) {
      csv.append("r").append(i).append(',').append(20 + i % 50).append(",1.5,1.7,Oslo,").append(i % 2).append('\n');
    }
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets/people?label=label"))
                    .POST(HttpRequest.BodyPublishers.ofString(csv.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  @Test
  void aJobIsSubmittedWatchedListedShownAndDownloaded() throws Exception {
    Run submit =
        kiln(
            "scoring",
            "submit",
            "--model",
            "tab",
            "--dataset",
            "people@1",
            "--id-column",
            "id",
            "--watch",
            "--url",
            url);
    assertThat(submit.exit()).as(submit.out() + submit.err()).isZero();
    assertThat(submit.out()).contains("scoring job 1 queued (people v1").contains("succeeded").contains("300/300 rows");

    Run list = kiln("scoring", "list", "--url", url);
    assertThat(list.out()).contains("SUCCEEDED").contains("people v1").contains("300/300");
    assertThat(kiln("scoring", "show", "1", "--url", url).out()).contains("rows 300/300 in 1 parts");

    Path csv = out.resolve("predictions.csv");
    assertThat(kiln("scoring", "download", "1", "-o", csv.toString(), "--url", url).exit()).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(301);
    assertThat(lines.get(0)).isEqualTo("id,score,city");
    assertThat(lines.get(1)).isEqualTo("r0," + (20 + 10 * 1.5f + 100 * 1.7f) + ",Oslo");

    Run cancel = kiln("scoring", "cancel", "1", "--url", url);
    assertThat(cancel.out()).contains("scoring job 1 succeeded");
    Run bad = kiln("scoring", "submit", "--model", "tab", "--dataset", "people", "--batch-size", "0", "--url", url);
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("batch_size");
  }

  Run kiln(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      cli.setErr(new PrintWriter(err, true));
      int exit = cli.execute(args);
      return new Run(exit, o.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
    }
  }
}
