package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.data.SampleData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code kiln predict} against a real server and a model trained on it: batch scoring, resuming, errors. */
class PredictCliTest extends ClassifierServerCli {
  @Test
  void scoresEveryRowAsTheServedModelDoesRowByRow() throws Exception {
    Path out = files.resolve("out.csv");
    Run run = predict(out, "--batch-size", "64");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("scored 1000 rows");
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(1001);
    assertThat(lines.getFirst()).isEqualTo("row,prediction,p_0,p_1");
    List<String> input = Files.readAllLines(data);
    HttpClient http = HttpClient.newHttpClient();
    for (int i : new int[] {1, 2, 8, 500, 999, 1000}) {
      String[] f = input.get(i).split(",");
      String body = "{\"instances\": [{\"x1\": " + f[f.length - 1] + ", \"x2\": " + f[f.length - 3] + "}]}";
      HttpResponse<String> one =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/predict/pm"))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode answer = JSON.readTree(one.body());
      JsonNode p = answer.at("/predictions/0");
      String expected =
          i
              + ","
              + p.path("class").asText()
              + ","
              + p.at("/probabilities/0").asText()
              + ","
              + p.at("/probabilities/1").asText();
      assertThat(lines.get(i)).as("row " + i).isEqualTo(expected);
    }
    Path byId = files.resolve("by-id.csv");
    assertThat(predict(byId, "--id", "name").exit()).isZero();
    List<String> ids = Files.readAllLines(byId);
    assertThat(ids.getFirst()).isEqualTo("name,prediction,p_0,p_1");
    assertThat(ids.get(8)).isEqualTo("\"r,7\"" + lines.get(8).substring(1));
    assertThat(ids.get(1000)).startsWith("r999,");
  }

  @Test
  void aRegressionWritesItsValue() throws Exception {
    Path csv = SampleData.linear(files.resolve("line.csv"), 200, 7);
    Path spec = Files.writeString(files.resolve("line.yaml"), "layers:\n  - {type: dense, units: 1}\n");
    String[] add = {"datasets", "add", csv.toString(), "--name", "line", "--label", "y", "--task", "regression"};
    assertThat(kiln(Stream.concat(Stream.of(add), Stream.of("--url", url)).toArray(String[]::new)).exit()).isZero();
    Run train =
        kiln(
            "train",
            "--dataset",
            "line",
            "--model",
            spec.toString(),
            "--epochs",
            "2",
            "--deploy",
            "line",
            "--url",
            url);
    assertThat(train.exit()).as(train.out() + train.err()).isZero();
    Path out = files.resolve("line-out.csv");
    Run run = kiln("predict", "--model", "line:1", "--input", csv.toString(), "--output", out.toString(), "--url", url);
    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(201);
    assertThat(lines.getFirst()).isEqualTo("row,prediction");
    String x = Files.readAllLines(csv).get(5).split(",")[0];
    HttpResponse<String> one =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/predict/line"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [{\"x\": " + x + "}]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode p = JSON.readTree(one.body()).at("/predictions/0");
    assertThat(lines.get(5)).isEqualTo("5," + (p.isArray() ? p.get(0) : p).asText());
  }

  @Test
  void aStoppedRunResumedEqualsAnUninterruptedOne() throws Exception {
    Path full = files.resolve("full.csv");
    assertThat(predict(full, "--batch-size", "100").exit()).isZero();
    byte[] expected = Files.readAllBytes(full);

    // Killed after three batches: resumed with another batch size, the file is the same.
    Path stopped = files.resolve("stopped.csv");
    PredictCommand.stopAfterBatches = 3;
    try {
      assertThat(predict(stopped, "--batch-size", "100").exit()).isEqualTo(3);
    } finally {
      PredictCommand.stopAfterBatches = 0;
    }
    assertThat(Files.readAllLines(stopped)).hasSize(301);
    Run resumed = predict(stopped, "--batch-size", "77", "--resume");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("scored 1000 rows (700 this run");
    assertThat(Files.readAllBytes(stopped)).isEqualTo(expected);

    // Killed mid-write: a torn last line is cut off and that row scored again, once.
    String text = new String(expected, StandardCharsets.UTF_8);
    int torn = text.indexOf('\n', text.length() / 2) + 9;
    Path partial = Files.writeString(files.resolve("partial.csv"), text.substring(0, torn));
    assertThat(predict(partial, "--resume").exit()).isZero();
    assertThat(Files.readAllBytes(partial)).isEqualTo(expected);

    // Torn inside the header, and resumed from nothing: still the same file.
    Path header = Files.writeString(files.resolve("header.csv"), "row,pred");
    assertThat(predict(header, "--resume").exit()).isZero();
    assertThat(Files.readAllBytes(header)).isEqualTo(expected);
    // Without --resume an existing output is refused, untouched.
    Run again = predict(header);
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).contains("exists; pass --resume");
    assertThat(Files.readAllBytes(header)).isEqualTo(expected);
  }

  @Test
  void errorsAreOneLineNamingTheProblem() throws Exception {
    Path out = files.resolve("out.csv");
    Files.writeString(data, "x2,other\n1,2\n");
    Run missing = predict(out);
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip()).isEqualTo("kiln: data.csv lacks the model's column(s) 'x1'");

    Files.writeString(data, "x1,x2\n1,2\n3,\"4\n5,6\n");
    Run badLine = predict(out);
    assertThat(badLine.exit()).isEqualTo(2);
    assertThat(badLine.err().strip()).isEqualTo("kiln: data.csv line 3: a quoted field is not closed");
    Files.deleteIfExists(out);
    Files.writeString(data, "x1,x2\n1,2\n3\n");
    assertThat(predict(out).err().strip()).isEqualTo("kiln: data.csv line 3: 1 fields, the header has 2");
    Files.deleteIfExists(out);

    // An unclosed quote near the top of a large file stops at the field cap, not after reading the file.
    Files.writeString(data, "x1,x2\n1,\"" + "9".repeat(CsvRecords.MAX_FIELD + 10) + "\n");
    assertThat(predict(out).err().strip())
        .isEqualTo("kiln: data.csv line 2: a field longer than 1048576 characters (is a quote not closed?)");
    Files.deleteIfExists(out);
    // A byte order mark (Excel's UTF-8 CSV) is not part of the first column's name.
    Files.writeString(data, "\uFEFFx1,x2\n0.5,0.5\n");
    assertThat(predict(out).exit()).isZero();
    assertThat(Files.readAllLines(out)).hasSize(2);
    Files.delete(out);
    assertThat(
            kiln("predict", "--model", "../x y", "--input", data.toString(), "--output", out.toString()).err().strip())
        .isEqualTo("kiln: bad model '../x y': NAME, NAME:version or NAME@alias");

    Run noModel =
        kiln("predict", "--model", "nope", "--input", data.toString(), "--output", out.toString(), "--url", url);
    assertThat(noModel.exit()).isEqualTo(2);
    assertThat(noModel.err()).contains("HTTP 404", "nope").doesNotContain("\n\n");
    assertThat(
            kiln("predict", "--model", "pm@prod", "--input", data.toString(), "--output", out.toString(), "--url", url)
                .err())
        .contains("HTTP 404", "/api/v1/models/pm");
    Run down =
        kiln(
            "predict",
            "--model",
            "pm",
            "--input",
            data.toString(),
            "--output",
            out.toString(),
            "--url",
            "http://127.0.0.1:1");
    assertThat(down.exit()).isEqualTo(2);
    assertThat(down.err()).contains("no Kiln server at http://127.0.0.1:1");
    assertThat(out).doesNotExist();
  }
}
