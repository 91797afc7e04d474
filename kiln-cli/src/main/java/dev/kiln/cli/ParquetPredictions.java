package dev.kiln.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The Parquet predictions file of {@code kiln predict}. A Parquet file is complete only once its footer is written, so
 * a run writes its rows as numbered part files in {@code OUTPUT.parts/}, each committed by an atomic rename once it
 * holds {@code partBatches} batches; at the end the parts are copied, row by row, into OUTPUT (through a temporary file
 * and a rename) and the folder is removed. A killed run leaves its committed parts; {@code --resume} drops the part in
 * progress, skips the committed parts' rows and goes on, and the final copy makes the same file whatever the batch size
 * or the parts were. Memory: one part's row group and one of the output's (at most {@link #ROW_GROUP}).
 */
final class ParquetPredictions implements PredictSink {
  /** Row group size of the parts and the output: memory stays about this, whatever the number of rows. */
  static final long ROW_GROUP = 4L << 20;

  private final Path output;
  private final Path parts;
  private final String id;
  private final boolean rowNumbers;
  private final int partBatches;
  private final CompressionCodecName codec;
  private final long done;
  private int part;
  private int batches;
  private MessageType schema;
  private ParquetWriter<Group> writer;
  private boolean complete;

  /**
   * @param id the id column's name: {@code row} for row numbers ({@code rowNumbers}), else an input column's
   * @param partBatches batches per part: what a killed run may have to score again
   * @param codec the output's page compression (the parts, read once, stay uncompressed)
   */
  ParquetPredictions(Path output, String id, boolean rowNumbers, int partBatches, CompressionCodecName codec)
      throws IOException {
    this.codec = codec;
    this.output = output;
    this.parts = parts(output);
    this.id = id;
    this.rowNumbers = rowNumbers;
    this.partBatches = partBatches;
    if (Files.exists(output)) { // finished: the parts, if any are left, were copied before the rename
      complete = true;
      deleteParts();
      try (ParquetFileReader r = ParquetRows.open(output)) {
        done = r.getRecordCount();
      }
      return;
    }
    Files.createDirectories(parts);
    long rows = 0;
    for (Path p : committed()) {
      try (ParquetFileReader r = ParquetRows.open(p)) {
        rows += r.getRecordCount();
      }
      part++;
    }
    done = rows;
  }

  /** The parts folder of {@code output}, whose presence means an unfinished run. */
  static Path parts(Path output) {
    return output.resolveSibling(output.getFileName() + ".parts");
  }

  @Override
  public long done() {
    return done;
  }

  @Override
  public void write(List<PredictRows.Row> rows) throws IOException {
    if (schema == null) {
      schema = schema(rows.getFirst());
    }
    if (writer == null) {
      Path tmp = parts.resolve(name(part) + ".tmp");
      Files.deleteIfExists(tmp); // left by a killed run: its rows were never counted
      writer = writer(tmp, CompressionCodecName.UNCOMPRESSED);
    }
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    for (PredictRows.Row row : rows) {
      writer.write(group(groups, row));
    }
    if (++batches == partBatches) {
      commit();
    }
  }

  @Override
  public void finish() throws IOException {
    if (complete) {
      return;
    }
    if (writer != null) {
      commit();
    }
    List<Path> all = committed();
    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (!all.isEmpty()) {
      try (ParquetWriter<Group> out = copyAll(all, tmp)) {
        // closed: footer written
      }
      sync(tmp);
      Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
    }
    deleteParts();
    complete = true;
  }

  private ParquetWriter<Group> copyAll(List<Path> all, Path tmp) throws IOException {
    ParquetWriter<Group> out = null;
    try {
      for (Path p : all) {
        try (ParquetFileReader r = ParquetRows.open(p)) {
          MessageType s = r.getFooter().getFileMetaData().getSchema();
          if (out == null) {
            schema = s;
            out = writer(tmp, codec);
          }
          for (PageReadStore g = r.readNextRowGroup(); g != null; g = r.readNextRowGroup()) {
            RecordReader<Group> rows =
                new ColumnIOFactory().getColumnIO(s).getRecordReader(g, new GroupRecordConverter(s));
            for (long i = 0; i < g.getRowCount(); i++) {
              out.write(rows.read());
            }
          }
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.close();
      }
      throw e;
    }
  }

  private void commit() throws IOException {
    writer.close();
    writer = null;
    batches = 0;
    Path tmp = parts.resolve(name(part) + ".tmp");
    sync(tmp);
    Files.move(tmp, parts.resolve(name(part)), StandardCopyOption.ATOMIC_MOVE);
    part++;
  }

  private List<Path> committed() throws IOException {
    try (Stream<Path> files = Files.list(parts)) {
      return files.filter(p -> p.getFileName().toString().matches("part-[0-9]{6}\\.parquet")).sorted().toList();
    }
  }

  private void deleteParts() throws IOException {
    if (!Files.exists(parts)) {
      return;
    }
    try (Stream<Path> files = Files.list(parts)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Files.delete(parts);
  }

  private ParquetWriter<Group> writer(Path file, CompressionCodecName codec) throws IOException {
    return ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration())
        .withCodecFactory(new ParquetCodecs())
        .withCompressionCodec(codec)
        .withRowGroupSize(ROW_GROUP)
        .withType(schema)
        .build();
  }

  /**
   * Columns: the row number ({@code row}, INT64) or the {@code --id} column (text); {@code prediction}, text for a
   * classifier's class or a value that is not a number, else DOUBLE; {@code p_0, p_1, ...} DOUBLE.
   */
  private MessageType schema(PredictRows.Row first) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    if (rowNumbers) {
      b.required(PrimitiveTypeName.INT64).named(id);
    } else {
      b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(id);
    }
    if (first.scores().isEmpty() && number(first.prediction())) {
      b.optional(PrimitiveTypeName.DOUBLE).named("prediction");
    } else {
      b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("prediction");
    }
    for (int k = 0; k < first.scores().size(); k++) {
      b.optional(PrimitiveTypeName.DOUBLE).named("p_" + k);
    }
    return b.named("predictions");
  }

  private Group group(SimpleGroupFactory groups, PredictRows.Row row) {
    Group g = groups.newGroup();
    if (rowNumbers) {
      g.append(schema.getFieldName(0), Long.parseLong(row.id()));
    } else {
      g.append(schema.getFieldName(0), row.id());
    }
    boolean numeric = schema.getType(1).asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.DOUBLE;
    if (!numeric) {
      g.append("prediction", row.prediction());
    } else if (!row.prediction().isEmpty()) {
      g.append("prediction", Double.parseDouble(row.prediction()));
    }
    for (int k = 0; k < row.scores().size() && k + 2 < schema.getFieldCount(); k++) {
      if (number(row.scores().get(k))) {
        g.append("p_" + k, Double.parseDouble(row.scores().get(k)));
      }
    }
    return g;
  }

  private static boolean number(String text) {
    try {
      Double.parseDouble(text);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String name(int part) {
    return String.format("part-%06d.parquet", part);
  }

  private static void sync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close(); // an unfinished part stays .tmp, never counted
      writer = null;
    }
  }
}
