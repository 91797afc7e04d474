package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln predict --model NAME[@alias|:version] --input data.csv --output predictions.csv}: scores a CSV file of
 * any size with a served Kiln-trained tabular model, as a client of the server's {@code POST /predict} (so the server's
 * access rules, limits and audit apply): the input is read and the output written a batch at a time, and {@code
 * --resume} continues a run that was stopped.
 */
@Command(
    name = "predict",
    description =
        "Score a CSV file with a served tabular model, in batches, streaming; --resume continues a stopped run.")
final class PredictCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "NAME[@alias|:version]")
  String model;

  @Option(names = "--input", required = true, description = "CSV with a header row holding the model's columns.")
  Path input;

  @Option(names = "--output", required = true, description = "Predictions CSV: row (or --id), prediction, p_0...")
  Path output;

  @Option(names = "--batch-size", defaultValue = "256", description = "Rows per request (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--id", description = "Input column written as each prediction's id (default: the row number).")
  String id;

  @Option(names = "--resume", description = "Continue the output file after its last complete row.")
  boolean resume;

  /** For tests: stop (as if killed) after this many batches; 0 never. */
  static int stopAfterBatches;

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1) {
      throw new KilnClient.CallFailed("--batch-size must be at least 1");
    }
    if (Files.exists(output) && !resume) {
      throw new KilnClient.CallFailed(output + " exists; pass --resume to continue it, or remove it");
    }
    KilnClient client = server.client();
    String path = PredictTarget.path(client, model);
    List<String> columns = PredictTarget.columns(client, model, path);
    PredictOutput.Progress done =
        resume && Files.exists(output)
            ? PredictOutput.truncateToCompleteRows(output)
            : new PredictOutput.Progress(0, false);
    String name = input.getFileName().toString();
    try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      CsvRecords records = new CsvRecords(reader, name);
      List<String> header = records.next().orElseThrow(() -> new KilnClient.CallFailed(name + " is empty")).fields();
      int[] picks = picks(header, columns, name);
      int idAt = id == null ? -1 : indexOf(header, id, name);
      try (PredictOutput.Writer out = new PredictOutput.Writer(output, Files.exists(output))) {
        return score(client, path, columns, records, header, picks, idAt, done, out, name);
      }
    }
  }

  private int score(
      KilnClient client,
      String path,
      List<String> columns,
      CsvRecords records,
      List<String> header,
      int[] picks,
      int idAt,
      PredictOutput.Progress done,
      PredictOutput.Writer out,
      String name)
      throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    long row = 0;
    for (; row < done.rows(); row++) {
      if (records.next().isEmpty()) {
        throw new KilnClient.CallFailed(output + " has more rows than " + name + "; is it another input's output?");
      }
    }
    boolean wroteHeader = done.header();
    long started = System.nanoTime();
    long scored = 0;
    int batches = 0;
    long lastReport = started;
    while (true) {
      List<CsvRecords.Record> batch = new ArrayList<>(batchSize);
      for (Optional<CsvRecords.Record> r = records.next(); r.isPresent(); r = records.next()) {
        if (r.get().fields().size() != header.size()) {
          throw new KilnClient.CallFailed(
              name
                  + " line "
                  + r.get().line()
                  + ": "
                  + r.get().fields().size()
                  + " fields, the header has "
                  + header.size());
        }
        batch.add(r.get());
        if (batch.size() == batchSize) {
          break;
        }
      }
      if (batch.isEmpty()) {
        break;
      }
      JsonNode answer = client.post(path, body(columns, picks, batch), "text/csv");
      StringBuilder lines = new StringBuilder();
      JsonNode predictions = answer.path("predictions");
      JsonNode classes = answer.path("classes");
      if (!wroteHeader) {
        lines.append(PredictRows.header(id == null ? "row" : id, predictions.path(0)));
        wroteHeader = true;
      }
      for (int i = 0; i < batch.size(); i++) {
        String key = idAt < 0 ? Long.toString(row + i + 1) : batch.get(i).fields().get(idAt);
        lines.append(PredictRows.line(key, predictions.path(i), classes.path(i)));
      }
      out.write(lines.toString());
      row += batch.size();
      scored += batch.size();
      batches++;
      long now = System.nanoTime();
      if (now - lastReport > 1_000_000_000L) {
        err.printf("scored %d rows (%.0f rows/s)%n", row, scored / ((now - started) / 1e9));
        lastReport = now;
      }
      if (batches == stopAfterBatches) {
        return 3;
      }
    }
    double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
    err.printf("scored %d rows (%d this run, %.0f rows/s) into %s%n", row, scored, scored / seconds, output);
    return 0;
  }

  /** Where each of the model's columns is in the input's header; every missing one named. */
  private static int[] picks(List<String> header, List<String> columns, String name) {
    LinkedHashSet<String> missing = new LinkedHashSet<>(columns);
    header.forEach(missing::remove);
    if (!missing.isEmpty()) {
      throw new KilnClient.CallFailed(name + " lacks the model's column(s) '" + String.join("', '", missing) + "'");
    }
    return columns.stream().mapToInt(header::indexOf).toArray();
  }

  private static int indexOf(List<String> header, String column, String name) {
    int at = header.indexOf(column);
    if (at < 0) {
      throw new KilnClient.CallFailed(name + " has no column '" + column + "' (--id)");
    }
    return at;
  }

  /** The batch as CSV with only the model's columns, which the server parses as it parses any CSV body. */
  private static byte[] body(List<String> columns, int[] picks, List<CsvRecords.Record> batch) {
    StringBuilder s = new StringBuilder();
    s.append(String.join(",", columns.stream().map(CsvRecords::field).toList())).append('\n');
    for (CsvRecords.Record r : batch) {
      for (int i = 0; i < picks.length; i++) {
        s.append(i == 0 ? "" : ",").append(CsvRecords.field(r.fields().get(picks[i])));
      }
      s.append('\n');
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }
}
