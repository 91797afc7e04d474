package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.compression.CompressionCodecFactory;
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
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Parquet files for tests, written and read with parquet-java as {@code kiln predict} uses it (no Hadoop). */
final class ParquetFiles {
  private ParquetFiles() {}

  /**
   * Writes {@code rows} (one value per schema field, in order, a null for a null) with small row groups, so that a few
   * thousand rows span several.
   */
  static Path write(Path file, String schema, List<Object[]> rows) throws IOException {
    return write(file, schema, rows, CompressionCodecName.GZIP);
  }

  /** As {@link #write(Path, String, List)}, pages compressed with {@code codec}. */
  static Path write(Path file, String schema, List<Object[]> rows, CompressionCodecName codec) throws IOException {
    return write(file, schema, rows, codec, new ParquetCodecs());
  }

  /** As {@link #write(Path, String, List, CompressionCodecName)}, compressed by {@code codecs}. */
  static Path write(
      Path file, String schema, List<Object[]> rows, CompressionCodecName codec, CompressionCodecFactory codecs)
      throws IOException {
    MessageType type = MessageTypeParser.parseMessageType(schema);
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withCodecFactory(codecs)
            .withCompressionCodec(codec)
            .withRowGroupSize(8L << 10)
            .withPageSize(2 << 10)
            .withType(type)
            .build()) {
      for (Object[] row : rows) {
        Group g = groups.newGroup();
        for (int i = 0; i < row.length; i++) {
          String name = type.getFieldName(i);
          switch (row[i]) {
            case null -> {}
            case Double d -> g.append(name, d);
            case Float f -> g.append(name, f);
            case Integer n -> g.append(name, n);
            case Long n -> g.append(name, n);
            case Boolean b -> g.append(name, b);
            default -> g.append(name, row[i].toString());
          }
        }
        w.write(g);
      }
    }
    return file;
  }

  /** Every row of {@code file}. */
  static List<Group> read(Path file) throws IOException {
    List<Group> rows = new ArrayList<>();
    try (ParquetFileReader r = ParquetRows.open(file)) {
      MessageType s = r.getFooter().getFileMetaData().getSchema();
      for (PageReadStore g = r.readNextRowGroup(); g != null; g = r.readNextRowGroup()) {
        RecordReader<Group> rr = new ColumnIOFactory().getColumnIO(s).getRecordReader(g, new GroupRecordConverter(s));
        for (long i = 0; i < g.getRowCount(); i++) {
          rows.add(rr.read());
        }
      }
    }
    return rows;
  }

  /** The schema of {@code file}, as parquet-java prints it. */
  static String schema(Path file) throws IOException {
    try (ParquetFileReader r = ParquetRows.open(file)) {
      return r.getFooter().getFileMetaData().getSchema().toString();
    }
  }

  /** The codecs of {@code file}'s column chunks, each once. */
  static Set<CompressionCodecName> codecs(Path file) throws IOException {
    try (ParquetFileReader r = ParquetRows.open(file)) {
      Set<CompressionCodecName> codecs = new TreeSet<>();
      r.getFooter().getBlocks().forEach(b -> b.getColumns().forEach(c -> codecs.add(c.getCodec())));
      return codecs;
    }
  }
}
