package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.KilnException;
import io.airlift.compress.lz4.Lz4Compressor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetCodecs}: files compressed with each codec read back, files of other writers (apache/parquet-testing)
 * read, a corrupt page named in one line, codecs that are not read refused naming them.
 */
class ParquetCodecsTest {
  static final String SCHEMA = "message m { required double x1; optional int64 x2; optional binary s (STRING); }";

  @TempDir Path dir;

  @Test
  void readsBackEveryCodecItWrites() throws Exception {
    for (CompressionCodecName codec : ParquetCodecs.WRITTEN) {
      Path file = ParquetFiles.write(dir.resolve(codec + ".parquet"), SCHEMA, rows(), codec);
      assertThat(ParquetFiles.codecs(file)).as("written as asked").containsExactly(codec);
      List<List<String>> read = read(file, "x2", "x1", "s");
      assertThat(read).as(codec.name()).hasSize(5000);
      assertThat(read.get(0)).containsExactly("", "0.0", "text 0");
      assertThat(read.get(4999)).containsExactly("4999", "1249.75", "text 4999");
    }
    // Snappy and Zstd do compress (these rows repeat a lot); the sizes are not a contract, the order is.
    assertThat(Files.size(dir.resolve("ZSTD.parquet"))).isLessThan(Files.size(dir.resolve("SNAPPY.parquet")));
    assertThat(Files.size(dir.resolve("SNAPPY.parquet")))
        .isLessThan(Files.size(dir.resolve("UNCOMPRESSED.parquet")) / 2);
  }

  @Test
  void readsLz4RawPages() throws Exception {
    Path file = dir.resolve("lz4.parquet");
    ParquetFiles.write(file, SCHEMA, rows(), CompressionCodecName.LZ4_RAW, new Lz4Writer());
    assertThat(ParquetFiles.codecs(file)).containsExactly(CompressionCodecName.LZ4_RAW);
    assertThat(read(file, "x1", "s").get(4999)).containsExactly("1249.75", "text 4999");
  }

  @Test
  void readsFilesOfOtherWriters() throws Exception {
    // Snappy, written by Impala.
    Path snappy = testing("alltypes_plain.snappy.parquet");
    assertThat(ParquetFiles.codecs(snappy)).containsExactly(CompressionCodecName.SNAPPY);
    assertThat(read(snappy, "id", "double_col", "string_col"))
        .containsExactly(List.of("6", "0.0", "0"), List.of("7", "10.1", "1"));
    // Zstd (level 22), written by pyarrow 14: 300 standard normals, BYTE_STREAM_SPLIT encoded.
    Path zstd = testing("byte_stream_split.zstd.parquet");
    assertThat(ParquetFiles.codecs(zstd)).containsExactly(CompressionCodecName.ZSTD);
    List<List<String>> normals = read(zstd, "f32", "f64");
    assertThat(normals).hasSize(300);
    assertThat(normals).allSatisfy(r -> assertThat(Math.abs(Double.parseDouble(r.get(1)))).isLessThan(10));
    // LZ4_RAW, written by Arrow C++.
    Path lz4 = testing("lz4_raw_compressed.parquet");
    assertThat(ParquetFiles.codecs(lz4)).containsExactly(CompressionCodecName.LZ4_RAW);
    assertThat(read(lz4, "c0", "c1", "v11")).hasSize(4);
  }

  @Test
  void aCorruptPageIsOneLineNamingTheFileAndColumn() throws Exception {
    for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY, CompressionCodecName.ZSTD)) {
      Path file = ParquetFiles.write(dir.resolve("bad-" + codec + ".parquet"), SCHEMA, rows(), codec);
      byte[] bytes = Files.readAllBytes(file);
      ColumnChunkMetaData x2;
      try (ParquetFileReader r = ParquetRows.open(file)) {
        x2 = r.getFooter().getBlocks().get(1).getColumns().get(1);
      }
      // The second half of x2's chunk in the second row group: page data, whatever the headers' lengths.
      int from = (int) (x2.getStartingPos() + x2.getTotalSize() / 2);
      Arrays.fill(bytes, from, (int) (x2.getStartingPos() + x2.getTotalSize()), (byte) 0xFF);
      Files.write(file, bytes);
      assertThatThrownBy(() -> read(file, "x1", "x2", "s"))
          .isInstanceOf(KilnException.class)
          .hasMessageStartingWith("bad-" + codec + ".parquet row ")
          .hasMessageContaining(": unreadable Parquet (column 'x2': ")
          .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }
  }

  @Test
  void aPageThatDoesNotDecompressIsNamedWithWhy() throws Exception {
    MessageType schema = MessageTypeParser.parseMessageType(SCHEMA);
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY, CompressionCodecName.ZSTD)) {
      Path file = dir.resolve("no-crc-" + codec + ".parquet");
      try (ParquetWriter<Group> w =
          ExampleParquetWriter.builder(new LocalOutputFile(file))
              .withConf(new PlainParquetConfiguration())
              .withCodecFactory(new ParquetCodecs())
              .withCompressionCodec(codec)
              .withPageWriteChecksumEnabled(false) // else the page's CRC catches it before decompression
              .withDictionaryEncoding(false)
              .withType(schema)
              .build()) {
        for (int i = 0; i < 3000; i++) {
          w.write(groups.newGroup().append("x1", Math.sin(i)).append("x2", 7L * i));
        }
      }
      byte[] bytes = Files.readAllBytes(file);
      ColumnChunkMetaData x2;
      try (ParquetFileReader r = ParquetRows.open(file)) {
        x2 = r.getFooter().getBlocks().getFirst().getColumns().get(1);
      }
      int middle = (int) (x2.getStartingPos() + x2.getTotalSize() / 2); // inside the chunk's one page
      Arrays.fill(bytes, middle, middle + 40, (byte) 0xFF);
      Files.write(file, bytes);
      assertThatThrownBy(() -> read(file, "x1", "x2"))
          .isInstanceOf(KilnException.class)
          .hasMessageStartingWith(
              "no-crc-"
                  + codec
                  + ".parquet row 1: unreadable Parquet (column 'x2': could not decompress page: a "
                  + codec
                  + " page is corrupt (");
    }
  }

  @Test
  void refusesCodecsItDoesNotReadNamingThem() throws Exception {
    // The Hadoop-framed LZ4 (not LZ4_RAW), written by parquet-mr with Hadoop's codec.
    assertThatThrownBy(() -> read(testing("hadoop_lz4_compressed.parquet"), "c0"))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("pages compressed with LZ4, which kiln predict does not read");
    for (CompressionCodecName codec :
        List.of(CompressionCodecName.BROTLI, CompressionCodecName.LZO, CompressionCodecName.LZ4)) {
      assertThatThrownBy(() -> new ParquetCodecs().getDecompressor(codec))
          .isInstanceOf(KilnException.class)
          .hasMessage(
              "pages compressed with "
                  + codec
                  + ", which kiln predict does not read (uncompressed, SNAPPY, ZSTD, LZ4_RAW or GZIP)");
    }
    assertThatThrownBy(() -> new ParquetCodecs().getCompressor(CompressionCodecName.BROTLI))
        .hasMessage("kiln predict writes Parquet uncompressed, GZIP, SNAPPY or ZSTD, not BROTLI");
  }

  @Test
  void refusesAPageClaimingMoreThanTheBoundBeforeAllocating() {
    for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY, CompressionCodecName.ZSTD)) {
      assertThatThrownBy(() ->
              new ParquetCodecs()
                  .getDecompressor(codec)
                  .decompress(BytesInput.from(new byte[] {1}), ParquetCodecs.MAX_PAGE + 1))
          .hasMessage("a page claims 268435457 bytes (at most 268435456 are read)");
    }
    // A Snappy block declaring 12 bytes where its header says 5: refused, not read past.
    assertThatThrownBy(() ->
            new ParquetCodecs()
                .getDecompressor(CompressionCodecName.SNAPPY)
                .decompress(BytesInput.from(new byte[] {12, 0x08, 'a', 'b', 'c', 0x15, 3}), 5))
        .hasMessageStartingWith("a SNAPPY page is corrupt");
  }

  private Path testing(String name) throws IOException {
    Path file = dir.resolve(name);
    try (InputStream in = ParquetCodecsTest.class.getResourceAsStream("/parquet-testing/" + name)) {
      Files.copy(in, file);
    }
    return file;
  }

  private static List<Object[]> rows() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      rows.add(new Object[] {i / 4.0, i % 3 == 0 ? null : (long) i, "text " + i});
    }
    return rows;
  }

  private static List<List<String>> read(Path file, String... columns) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    try (ParquetRows r = ParquetRows.open(file, List.of(columns))) {
      for (Optional<CsvRecords.Record> row = r.next(); row.isPresent(); row = r.next()) {
        rows.add(row.get().fields());
      }
    }
    return rows;
  }

  /** LZ4_RAW pages, which kiln predict reads but does not write: aircompressor's block compressor. */
  private static final class Lz4Writer implements CompressionCodecFactory {
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
      return new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
          byte[] in = bytes.toByteArray();
          Lz4Compressor lz4 = new Lz4Compressor();
          byte[] out = new byte[lz4.maxCompressedLength(in.length)];
          return BytesInput.from(Arrays.copyOf(out, lz4.compress(in, 0, in.length, out, 0, out.length)));
        }

        @Override
        public CompressionCodecName getCodecName() {
          return CompressionCodecName.LZ4_RAW;
        }

        @Override
        public void release() {}
      };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
      return new ParquetCodecs().getDecompressor(codec);
    }

    @Override
    public void release() {}
  }
}
