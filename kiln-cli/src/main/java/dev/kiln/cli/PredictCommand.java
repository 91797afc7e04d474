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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln predict --model NAME[@alias|:version] --input data.csv --output predictions.csv}: scores a CSV (or, by
 * the {@code .parquet} name, Parquet: {@link ParquetRows}, {@link ParquetPredictions}) file of any size with a served
 * Kiln-trained tabular model, as a client of the server's {@code POST /predict} (so the server's access rules, limits
 * and audit apply): the input is read and the output written a batch at a time, and {@code --resume} continues a run
 * that was stopped.
 */
@Command(
    name = "predict",
    description =
        "Score a CSV or Parquet file with a served tabular model, in batches, streaming; --resume continues a stopped"
            + " run.")
final class PredictCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "NAME[@alias|:version]")
  String model;

  @Option(
      names = "--input",
      required = true,
      description = "CSV with a header row, or .parquet, holding the model's columns.")
  Path input;

  @Option(
      names = "--output",
      required = true,
      description = "Predictions CSV or .parquet: row (or --id), prediction, p_0...")
  Path output;

  @Option(names = "--batch-size", defaultValue = "256", description = "Rows per request (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--id", description = "Input column written as each prediction's id (default: the row number).")
  String id;

  @Option(
      names = "--compression",
      defaultValue = "snappy",
      paramLabel = "CODEC",
      description = "Parquet output's page compression: snappy (default, as Spark and pyarrow), zstd, gzip or none.")
  String compression;

  @Option(names = "--resume", description = "Continue the output file after its last complete row.")
  boolean resume;

  /** For tests: stop (as if killed) after this many batches; 0 never. */
  static int stopAfterBatches;

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1) {
      throw new KilnClient.CallFailed("--batch-size must be at least 1");
    }
    boolean parquetOut = parquet(output);
    if (parquetOut) {
      codec(); // a wrong --compression fails before any request
    }
    if (!resume && (Files.exists(output) || (parquetOut && Files.exists(ParquetPredictions.parts(output))))) {
      Path found = Files.exists(output) ? output : ParquetPredictions.parts(output);
      throw new KilnClient.CallFailed(found + " exists; pass --resume to continue it, or remove it");
    }
    KilnClient client = server.client();
    String path = PredictTarget.path(client, model);
    List<String> columns = PredictTarget.columns(client, model, path);
    String name = input.getFileName().toString();
    if (parquet(input)) {
      return scoreParquet(client, path, columns, name, parquetOut);
    }
    try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      CsvRecords records = new CsvRecords(reader, name);
      List<String> header = records.next().orElseThrow(() -> new KilnClient.CallFailed(name + " is empty")).fields();
      int[] picks = picks(header, columns, name);
      int idAt = id == null ? -1 : indexOf(header, id, name);
      try (PredictSink out = sink(parquetOut)) {
        return score(client, path, columns, records::next, header.size(), picks, idAt, out, name);
      }
    }
  }

  private int scoreParquet(KilnClient client, String path, List<String> columns, String name, boolean parquetOut)
      throws IOException {
    List<String> fileColumns = ParquetRows.columns(input);
    picks(fileColumns, columns, name); // every missing column named, as for CSV
    List<String> read = new ArrayList<>(columns);
    if (id != null) {
      indexOf(fileColumns, id, name);
      if (!read.contains(id)) {
        read.add(id);
      }
    }
    try (ParquetRows rows = ParquetRows.open(input, read)) {
      PredictTarget.checkNumeric(client, path, read, rows.kinds(), name);
      int[] picks = picks(read, columns, name);
      int idAt = id == null ? -1 : read.indexOf(id);
      try (PredictSink out = sink(parquetOut)) {
        return score(client, path, columns, rows::next, read.size(), picks, idAt, out, name);
      }
    }
  }

  private PredictSink sink(boolean parquetOut) throws IOException {
    String idName = id == null ? "row" : id;
    return parquetOut
        ? new ParquetPredictions(output, idName, id == null, PART_BATCHES, codec())
        : new PredictOutput.Csv(output, idName, resume);
  }

  private CompressionCodecName codec() {
    String c = compression.toUpperCase(Locale.ROOT);
    return ParquetCodecs.WRITTEN.stream()
        .filter(n -> n.name().equals(c) || (c.equals("NONE") && n == CompressionCodecName.UNCOMPRESSED))
        .findFirst()
        .orElseThrow(
            () -> new KilnClient.CallFailed("--compression is snappy, zstd, gzip or none, not " + compression));
  }

  /** Batches per committed Parquet part: a killed run scores at most this many batches again. */
  static final int PART_BATCHES = 64;

  /** Where rows come from: CSV records or Parquet rows, each with its line or row number. */
  interface Rows {
    Optional<CsvRecords.Record> next() throws IOException;
  }

  private static boolean parquet(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
  }

  private int score(
      KilnClient client,
      String path,
      List<String> columns,
      Rows records,
      int width,
      int[] picks,
      int idAt,
      PredictSink out,
      String name)
      throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    long row = 0;
    for (; row < out.done(); row++) {
      if (records.next().isEmpty()) {
        throw new KilnClient.CallFailed(output + " has more rows than " + name + "; is it another input's output?");
      }
    }
    long started = System.nanoTime();
    long scored = 0;
    int batches = 0;
    long lastReport = started;
    while (true) {
      List<CsvRecords.Record> batch = new ArrayList<>(batchSize);
      for (Optional<CsvRecords.Record> r = records.next(); r.isPresent(); r = records.next()) {
        if (r.get().fields().size() != width) {
          throw new KilnClient.CallFailed(
              name + " line " + r.get().line() + ": " + r.get().fields().size() + " fields, the header has " + width);
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
      JsonNode predictions = answer.path("predictions");
      JsonNode classes = answer.path("classes");
      List<PredictRows.Row> scoredRows = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        String key = idAt < 0 ? Long.toString(row + i + 1) : batch.get(i).fields().get(idAt);
        scoredRows.add(PredictRows.row(key, predictions.path(i), classes.path(i)));
      }
      out.write(scoredRows);
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
    out.finish();
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
