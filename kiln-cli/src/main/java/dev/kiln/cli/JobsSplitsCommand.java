package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln jobs splits ID [--split S [--csv [-o FILE]]]}: the rows a job trained, validated and was tested on, as
 * indexes, or one split's rows themselves as CSV ({@code GET /api/v1/jobs/{id}/splits?as=csv&split=S}).
 */
@Command(
    name = "splits",
    description =
        "The dataset rows a job trained, validated and was tested on: 0-based indexes into the dataset version's"
            + " rows as uploaded (a CSV's data rows after the header), so another tool can use the same rows;"
            + " with --csv, one split's rows themselves.")
final class JobsSplitsCommand implements Callable<Integer> {
  /** The split names as the API spells them. */
  enum Part {
    train,
    validation,
    test
  }

  @Mixin ClientOptions server;

  @Parameters(index = "0")
  long id;

  @Option(names = "--split", description = "Print only this split's rows, one per line: ${COMPLETION-CANDIDATES}.")
  Part split;

  @Option(
      names = "--csv",
      description = "With --split: the split's rows as CSV (header, then the rows in the split's order); CSV datasets.")
  boolean csv;

  @Option(
      names = "--predictions",
      description = "With --split test --csv: end each row with the engine's prediction for it (column prediction).")
  boolean predictions;

  @Option(
      names = {"-o", "--output"},
      description = "With --csv: write the CSV to this file instead of standard output.")
  Path output;

  @Override
  public Integer call() throws IOException {
    if ((csv || output != null) && split == null) {
      throw new KilnClient.CallFailed("--csv needs --split train, validation or test");
    }
    if (predictions && (!csv || split != Part.test)) {
      throw new KilnClient.CallFailed("--predictions needs --split test --csv");
    }
    if (output != null && !csv) {
      throw new KilnClient.CallFailed("-o writes the CSV of --csv; add --csv");
    }
    if (csv) {
      String query = "?as=csv&split=" + split.name() + (predictions ? "&predictions=true" : "");
      byte[] rows = server.client().file("/api/v1/jobs/" + id + "/splits" + query);
      if (output == null) {
        System.out.write(rows);
        System.out.flush();
      } else {
        Files.write(output, rows);
        System.out.printf("wrote the %s rows of job %d to %s (%d bytes)%n", split, id, output, rows.length);
      }
      return 0;
    }
    JsonNode s = server.client().get("/api/v1/jobs/" + id + "/splits");
    if (split != null) {
      s.get(split.name()).forEach(i -> System.out.println(i.asInt()));
      return 0;
    }
    System.out.printf(
        "job %d: dataset %s v%d (sha256 %s); rows numbered from 0 as uploaded%n",
        id, s.path("dataset").asText(), s.path("version").asInt(), s.path("sha256").asText());
    JsonNode other = s.path("validation_dataset");
    if (other.isObject()) {
      System.out.printf(
          "validated on dataset %s v%d (sha256 %s): validation lists its rows%n",
          other.path("name").asText(), other.path("version").asInt(), other.path("sha256").asText());
    }
    if (s.hasNonNull("split_column")) {
      System.out.printf("rows assigned by the column '%s'%n", s.get("split_column").asText());
    }
    for (Part p : Part.values()) {
      List<String> rows = new ArrayList<>();
      s.get(p.name()).forEach(i -> rows.add(i.asText()));
      System.out.printf("%s (%d rows): %s%n", p, rows.size(), String.join(",", rows));
    }
    return 0;
  }
}
