package dev.kiln.cli;

import dev.kiln.core.error.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Rows of a Parquet file, one row group in memory at a time (so memory is bounded by the writer's row group size, not
 * the file's), each row's chosen columns as text: what a CSV cell would hold, a null as an empty cell (which the server
 * reads as a missing value). Flat columns of BOOLEAN, INT32, INT64, FLOAT, DOUBLE and BINARY (text) are read; any other
 * type of a chosen column (unsigned, dates, decimals, nested) is refused naming the column. Self-contained, for any
 * caller that scores a file.
 */
final class ParquetRows implements AutoCloseable {
  private final ParquetFileReader reader;
  private final MessageType projection;
  private final Path file;
  private final String name;
  private final Kind[] kinds;
  private final int[] fields;
  private RecordReader<Group> rows;
  private long left;
  private long row;
  private int groups; // row groups started

  /** How a chosen column's values become text. */
  enum Kind {
    BOOLEAN,
    INT32,
    INT64,
    FLOAT,
    DOUBLE,
    TEXT
  }

  private ParquetRows(ParquetFileReader reader, MessageType projection, List<String> columns, Kind[] kinds, Path file) {
    this.reader = reader;
    this.projection = projection;
    this.kinds = kinds;
    this.fields = columns.stream().mapToInt(projection::getFieldIndex).toArray();
    this.file = file;
    this.name = file.getFileName().toString();
  }

  /** The top-level column names of {@code file}, in file order. */
  static List<String> columns(Path file) throws IOException {
    try (ParquetFileReader r = open(file)) {
      return r.getFooter().getFileMetaData().getSchema().getFields().stream().map(Type::getName).toList();
    }
  }

  /**
   * Reads {@code columns} (each must be in the file) of {@code file}; the rows' fields come in that order.
   *
   * @throws KilnException (invalid) for a file that is not Parquet, is cut short, or has a chosen column of a type that
   *     is not read
   */
  static ParquetRows open(Path file, List<String> columns) throws IOException {
    String name = file.getFileName().toString();
    ParquetFileReader reader = open(file);
    try {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      List<Type> picked = new ArrayList<>();
      Kind[] kinds = new Kind[columns.size()];
      for (int i = 0; i < columns.size(); i++) {
        String column = columns.get(i);
        if (!schema.containsField(column)) {
          throw KilnException.invalid(name + " has no column '" + column + "'");
        }
        Type type = schema.getType(column);
        kinds[i] = kind(type, name);
        if (!picked.contains(type)) {
          picked.add(type);
        }
      }
      MessageType projection = new MessageType(schema.getName(), picked);
      reader.setRequestedSchema(projection);
      return new ParquetRows(reader, projection, columns, kinds, file);
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /** The kind each chosen column is read as, in the order they were asked for. */
  List<Kind> kinds() {
    return Arrays.asList(kinds);
  }

  /** The next row (its line is the row number, 1 for the first row), or empty after the last. */
  Optional<CsvRecords.Record> next() throws IOException {
    try {
      while (left == 0) {
        groups++;
        PageReadStore group = reader.readNextRowGroup();
        if (group == null) {
          return Optional.empty();
        }
        left = group.getRowCount();
        rows =
            new ColumnIOFactory().getColumnIO(projection).getRecordReader(group, new GroupRecordConverter(projection));
      }
      Group g = rows.read();
      left--;
      row++;
      List<String> values = new ArrayList<>(fields.length);
      for (int i = 0; i < fields.length; i++) {
        values.add(g.getFieldRepetitionCount(fields[i]) == 0 ? "" : text(g, fields[i], kinds[i]));
      }
      return Optional.of(new CsvRecords.Record(row, values));
    } catch (RuntimeException | IOException e) { // parquet-java's decoding errors are mostly unchecked
      String why = ParquetPages.describe(file, projection, groups - 1, e);
      throw KilnException.invalid(name + " row " + (row + 1) + ": unreadable Parquet (" + why + ")");
    }
  }

  private static String text(Group g, int column, Kind kind) {
    return switch (kind) {
      case BOOLEAN -> Boolean.toString(g.getBoolean(column, 0));
      case INT32 -> Integer.toString(g.getInteger(column, 0));
      case INT64 -> Long.toString(g.getLong(column, 0));
      case FLOAT -> Float.toString(g.getFloat(column, 0));
      case DOUBLE -> Double.toString(g.getDouble(column, 0));
      case TEXT -> new String(g.getBinary(column, 0).getBytes(), StandardCharsets.UTF_8);
    };
  }

  private static Kind kind(Type type, String name) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (type.isPrimitive() && !type.isRepetition(Type.Repetition.REPEATED)) {
      PrimitiveType p = type.asPrimitiveType();
      boolean plain = // unsigned integers are refused rather than read as negative numbers
          logical == null || (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && i.isSigned());
      switch (p.getPrimitiveTypeName()) {
        case BOOLEAN:
          return Kind.BOOLEAN;
        case INT32:
          if (plain) {
            return Kind.INT32;
          }
          break;
        case INT64:
          if (plain) {
            return Kind.INT64;
          }
          break;
        case FLOAT:
          return Kind.FLOAT;
        case DOUBLE:
          return Kind.DOUBLE;
        case BINARY:
          if (logical == null
              || logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
              || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation) {
            return Kind.TEXT;
          }
          break;
        default:
          break;
      }
    }
    throw KilnException.invalid(
        name
            + " column '"
            + type.getName()
            + "' is "
            + (type.isPrimitive() ? type.asPrimitiveType().getPrimitiveTypeName() : "a group")
            + (logical == null ? "" : " (" + logical + ")")
            + (type.isRepetition(Type.Repetition.REPEATED) ? ", repeated" : "")
            + "; kiln predict reads numbers, strings and booleans");
  }

  /** Opens {@code file} once it has {@code PAR1} at both ends (a file cut short has lost its footer and end magic). */
  static ParquetFileReader open(Path file) throws IOException {
    String name = file.getFileName().toString();
    long size = Files.size(file);
    byte[] head = new byte[4];
    byte[] tail = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, 4) < 4 || !Arrays.equals(head, MAGIC)) {
        throw KilnException.invalid(name + " is not a Parquet file (it does not start with PAR1)");
      }
      in.skipNBytes(Math.max(0, size - 8));
      if (size < 12 || in.readNBytes(tail, 0, 4) < 4 || !Arrays.equals(tail, MAGIC)) {
        throw KilnException.invalid(name + " is cut short: its Parquet footer is missing (was it copied whole?)");
      }
    }
    ParquetFileReader reader;
    try {
      reader = ParquetFileReader.open(new LocalInputFile(file), ParquetCodecs.READ_OPTIONS);
    } catch (IOException | RuntimeException e) {
      throw KilnException.invalid(name + " has an unreadable Parquet footer (" + e.getMessage() + ")");
    }
    // Row groups are read whole: a footer that places a column chunk past the end would have parquet-java allocate
    // what it claims before finding out.
    for (BlockMetaData block : reader.getFooter().getBlocks()) {
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        if (chunk.getStartingPos() < 4
            || chunk.getTotalSize() < 0
            || chunk.getTotalSize() > size - chunk.getStartingPos()) {
          reader.close();
          throw KilnException.invalid(name + " is corrupt: column '" + chunk.getPath() + "' lies past the file's end");
        }
      }
    }
    return reader;
  }

  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
