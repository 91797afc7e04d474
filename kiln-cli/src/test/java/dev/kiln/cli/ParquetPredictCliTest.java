package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

/** {@code kiln predict} with Parquet in and out, against a real server: the same answers as CSV, resuming, errors. */
class ParquetPredictCliTest extends ClassifierServerCli {
  static final String SCHEMA =
      "message rows { optional binary name (STRING); optional float x2; optional binary note (STRING);"
          + " optional double x1; }";

  /** {@code csv} (data.csv's columns) as Parquet: x2 FLOAT, x1 DOUBLE, an empty cell a null; small row groups. */
  static Path asParquet(Path csv, Path file) throws Exception {
    return asParquet(csv, file, CompressionCodecName.GZIP);
  }

  /** As {@link #asParquet(Path, Path)}, pages compressed with {@code codec}. */
  static Path asParquet(Path csv, Path file, CompressionCodecName codec) throws Exception {
    List<Object[]> rows = new ArrayList<>();
    CsvRecords records = new CsvRecords(new StringReader(Files.readString(csv)), "data.csv");
    records.next();
    for (Optional<CsvRecords.Record> r = records.next(); r.isPresent(); r = records.next()) {
      List<String> f = r.get().fields();
      rows.add(
          new Object[] {
            f.get(0),
            f.get(1).isEmpty() ? null : Float.parseFloat(f.get(1)),
            f.get(2),
            f.get(3).isEmpty() ? null : Double.parseDouble(f.get(3))
          });
    }
    return ParquetFiles.write(file, SCHEMA, rows, codec);
  }

  @Test
  void parquetInAndOutHoldWhatCsvHolds() throws Exception {
    Path parquet = asParquet(data, files.resolve("data.parquet"));
    try (var r = ParquetRows.open(parquet)) {
      assertThat(r.getRowGroups()).as("the input spans several row groups").hasSizeGreaterThan(2);
    }
    Path csvOut = files.resolve("csv.csv");
    assertThat(predict(csvOut, "--batch-size", "64").exit()).isZero();
    List<String> expected = Files.readAllLines(csvOut);

    // Parquet in, CSV out: the same file, byte for byte; and by --id.
    Path fromParquet = files.resolve("from-parquet.csv");
    Run run = predict(parquet, fromParquet, "--batch-size", "64");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("scored 1000 rows");
    assertThat(Files.readAllBytes(fromParquet)).isEqualTo(Files.readAllBytes(csvOut));
    Path byIdCsv = files.resolve("by-id-csv.csv");
    Path byIdParquet = files.resolve("by-id-parquet.csv");
    assertThat(predict(byIdCsv, "--id", "name").exit()).isZero();
    assertThat(predict(parquet, byIdParquet, "--id", "name").exit()).isZero();
    assertThat(Files.readAllBytes(byIdParquet)).isEqualTo(Files.readAllBytes(byIdCsv));
    // Snappy (Spark's and pyarrow's default) and Zstd (polars') input: the same file again.
    for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY, CompressionCodecName.ZSTD)) {
      Path in = asParquet(data, files.resolve(codec + ".parquet"), codec);
      Path fromCodec = files.resolve("from-" + codec + ".csv");
      run = predict(in, fromCodec, "--batch-size", "64");
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(Files.readAllBytes(fromCodec)).as(codec.name()).isEqualTo(Files.readAllBytes(csvOut));
    }

    // Parquet out: typed columns holding the same values.
    Path out = files.resolve("predictions.parquet");
    run = predict(parquet, out, "--batch-size", "50");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(ParquetFiles.schema(out))
        .contains("required int64 row", "optional binary prediction (STRING)", "optional double p_0", "p_1");
    assertThat(ParquetFiles.codecs(out)).as("Snappy by default").containsExactly(CompressionCodecName.SNAPPY);
    List<Group> rows = ParquetFiles.read(out);
    assertThat(rows).hasSize(1000);
    Path zstdOut = files.resolve("zstd.parquet");
    run = predict(parquet, zstdOut, "--compression", "zstd");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(ParquetFiles.codecs(zstdOut)).containsExactly(CompressionCodecName.ZSTD);
    assertThat(ParquetFiles.read(zstdOut).toString()).isEqualTo(rows.toString());
    run = predict(parquet, files.resolve("brotli.parquet"), "--compression", "brotli");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("kiln: --compression is snappy, zstd, gzip or none, not brotli");
    for (int i = 0; i < rows.size(); i++) {
      String[] line = expected.get(i + 1).split(",");
      Group g = rows.get(i);
      assertThat(g.getLong("row", 0)).isEqualTo(i + 1);
      assertThat(g.getString("prediction", 0)).isEqualTo(line[1]);
      assertThat(g.getDouble("p_0", 0)).isEqualTo(Double.parseDouble(line[2]));
      assertThat(g.getDouble("p_1", 0)).isEqualTo(Double.parseDouble(line[3]));
    }
    assertThat(ParquetPredictions.parts(out)).doesNotExist();
    Path outById = files.resolve("by-id.parquet");
    assertThat(predict(outById, "--id", "name").exit()).isZero();
    assertThat(ParquetFiles.read(outById).get(7).getString("name", 0)).isEqualTo("r,7");
  }

  @Test
  void aNullIsAMissingValueAsAnEmptyCsvCellIs() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(data));
    for (int i = 1; i < lines.size(); i += 3) { // every third row lacks x1, every fifth x2
      String[] f = lines.get(i).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1);
      f[3] = "";
      if (i % 5 == 0) {
        f[1] = "";
      }
      lines.set(i, String.join(",", f));
    }
    Files.write(data, lines);
    Path parquet = asParquet(data, files.resolve("nulls.parquet"));
    Path csvOut = files.resolve("csv.csv");
    Path parquetOut = files.resolve("parquet.csv");
    Run csv = predict(csvOut);
    assertThat(csv.exit()).as(csv.err()).isZero();
    assertThat(predict(parquet, parquetOut).exit()).isZero();
    assertThat(Files.readAllBytes(parquetOut)).isEqualTo(Files.readAllBytes(csvOut));
    assertThat(Files.readAllLines(csvOut)).hasSize(1001);
  }

  @Test
  void aStoppedParquetRunResumedEqualsAnUninterruptedOne() throws Exception {
    Path parquet = asParquet(data, files.resolve("data.parquet"));
    Path full = files.resolve("full.parquet");
    assertThat(predict(parquet, full, "--batch-size", "10").exit()).isZero();
    byte[] expected = Files.readAllBytes(full);

    // Stopped after 70 batches of 10: one part of 64 batches committed, the next one unfinished.
    Path stopped = files.resolve("stopped.parquet");
    PredictCommand.stopAfterBatches = 70;
    try {
      assertThat(predict(parquet, stopped, "--batch-size", "10").exit()).isEqualTo(3);
    } finally {
      PredictCommand.stopAfterBatches = 0;
    }
    Path parts = ParquetPredictions.parts(stopped);
    assertThat(stopped).doesNotExist();
    try (var list = Files.list(parts)) {
      assertThat(list.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("part-000000.parquet", "part-000001.parquet.tmp");
    }
    Run again = predict(parquet, stopped);
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).contains("stopped.parquet.parts exists; pass --resume");

    Run resumed = predict(parquet, stopped, "--batch-size", "77", "--resume");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("scored 1000 rows (360 this run");
    assertThat(Files.readAllBytes(stopped)).isEqualTo(expected);
    assertThat(parts).doesNotExist();

    // Resuming a finished file scores nothing and leaves it as it is; CSV in gives the same file.
    Run done = predict(parquet, stopped, "--resume");
    assertThat(done.err()).contains("scored 1000 rows (0 this run");
    assertThat(Files.readAllBytes(stopped)).isEqualTo(expected);
    Path fromCsv = files.resolve("from-csv.parquet");
    assertThat(predict(data, fromCsv, "--batch-size", "333").exit()).isZero();
    assertThat(Files.readAllBytes(fromCsv)).isEqualTo(expected);
  }

  @Test
  void wrongTypesAndBrokenFilesAreOneLineErrors() throws Exception {
    Object[] row = {"a", 0.5f, "n", "0.25"};
    assertError(
        ParquetFiles.write(files.resolve("text.parquet"), SCHEMA.replace("double x1", "binary x1 (STRING)"), rows(row)),
        "text.parquet column 'x1' holds text; the model takes numbers there");
    Object[] bool = {"a", 0.5f, "n", true};
    assertError(
        ParquetFiles.write(files.resolve("bool.parquet"), SCHEMA.replace("double x1", "boolean x1"), rows(bool)),
        "bool.parquet column 'x1' holds booleans; the model takes numbers there");
    Object[] date = {"a", 0.5f, "n", 19000};
    assertError(
        ParquetFiles.write(files.resolve("date.parquet"), SCHEMA.replace("double x1", "int32 x1 (DATE)"), rows(date)),
        "date.parquet column 'x1' is INT32 (DATE); kiln predict reads numbers, strings and booleans");
    Object[] unsigned = {"a", 0.5f, "n", -1L};
    assertError(
        ParquetFiles.write(
            files.resolve("u64.parquet"), SCHEMA.replace("double x1", "int64 x1 (INTEGER(64,false))"), rows(unsigned)),
        "u64.parquet column 'x1' is INT64 (INTEGER(64,false)); kiln predict reads numbers, strings and booleans");
    Object[] noX1 = {"a", 0.5f, "n", 1.0};
    assertError(
        ParquetFiles.write(files.resolve("nox1.parquet"), SCHEMA.replace("double x1", "double y"), rows(noX1)),
        "nox1.parquet lacks the model's column(s) 'x1'");
    // Integers are numbers: an INT32 x1 and an INT64 x2 are read.
    Object[] ints = {"a", 1L, "n", 2};
    Path intFile =
        ParquetFiles.write(
            files.resolve("ints.parquet"),
            SCHEMA.replace("double x1", "int32 x1").replace("float x2", "int64 x2"),
            rows(ints));
    assertThat(predict(intFile, files.resolve("ints.csv")).exit()).isZero();

    assertError(
        Files.writeString(files.resolve("csv.parquet"), "x1,x2\n1,2\n"),
        "csv.parquet is not a Parquet file" + " (it does not start with PAR1)");
    byte[] good = Files.readAllBytes(asParquet(data, files.resolve("good.parquet")));
    assertError(
        Files.write(files.resolve("cut.parquet"), Arrays.copyOf(good, good.length / 2)),
        "cut.parquet is cut short: its Parquet footer is missing (was it copied whole?)");
    byte[] bad = good.clone();
    Arrays.fill(bad, 4, bad.length / 2, (byte) 7); // pages overwritten, the footer intact
    Path corrupt = Files.write(files.resolve("corrupt.parquet"), bad);
    Run run = predict(corrupt, files.resolve("corrupt.csv"));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).startsWith("kiln: corrupt.parquet row 1: unreadable Parquet (").doesNotContain("\tat ");
    assertThat(run.err().strip().lines()).hasSize(1);

    // A Zstd page overwritten (its chunk's second half): one line naming the file and the column.
    Path zstd = asParquet(data, files.resolve("bad-zstd.parquet"), CompressionCodecName.ZSTD);
    byte[] bytes = Files.readAllBytes(zstd);
    ColumnChunkMetaData x1;
    try (var r = ParquetRows.open(zstd)) {
      x1 = r.getFooter().getBlocks().getFirst().getColumns().get(3);
    }
    Arrays.fill(
        bytes,
        (int) (x1.getStartingPos() + x1.getTotalSize() / 2),
        (int) (x1.getStartingPos() + x1.getTotalSize()),
        (byte) 0xFF);
    run = predict(Files.write(zstd, bytes), files.resolve("bad-zstd.csv"));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).startsWith("kiln: bad-zstd.parquet row 1: unreadable Parquet (column 'x1': ");
    assertThat(run.err().strip().lines()).hasSize(1);
  }

  private static List<Object[]> rows(Object[] row) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rows.add(row);
    }
    return rows;
  }

  private void assertError(Path in, String message) {
    Path out = files.resolve("out.csv");
    Run run = predict(in, out);
    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("kiln: " + message);
    assertThat(out).doesNotExist();
  }
}
