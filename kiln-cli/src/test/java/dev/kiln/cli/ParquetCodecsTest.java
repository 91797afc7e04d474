package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.KilnException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ParquetCodecs}: Snappy blocks decoded by hand, checked against what they promise; other codecs named. */
class ParquetCodecsTest {
  @TempDir Path dir;

  @Test
  void decodesLiteralsAndOverlappingCopies() throws IOException {
    // "abc", then a 1-byte-offset copy of 9 bytes from 3 back (overlapping what it writes).
    byte[] a = {12, 0x08, 'a', 'b', 'c', 0x15, 3};
    assertThat(new String(ParquetCodecs.unsnappy(a, 12), StandardCharsets.US_ASCII)).isEqualTo("abcabcabcabc");
    // "xyz", then a 2-byte-offset copy of 3 bytes from 3 back.
    byte[] b = {6, 0x08, 'x', 'y', 'z', 0x0A, 3, 0};
    assertThat(new String(ParquetCodecs.unsnappy(b, 6), StandardCharsets.US_ASCII)).isEqualTo("xyzxyz");
    // A literal of 100 bytes: its length in the byte after the tag.
    byte[] c = new byte[103];
    c[0] = 100;
    c[1] = (byte) 0xF0;
    c[2] = 99;
    for (int i = 0; i < 100; i++) {
      c[3 + i] = (byte) i;
    }
    assertThat(ParquetCodecs.unsnappy(c, 100)).hasSize(100).startsWith(0, 1, 2).endsWith(99);
  }

  @Test
  void refusesBlocksThatBreakTheirPromises() {
    assertThatThrownBy(() -> ParquetCodecs.unsnappy(new byte[] {12, 0x08, 'a', 'b', 'c', 0x15, 5}, 12))
        .as("a copy from before the start")
        .hasMessage("a Snappy page is corrupt");
    assertThatThrownBy(() -> ParquetCodecs.unsnappy(new byte[] {12, 0x08, 'a', 'b', 'c'}, 12))
        .as("shorter than declared")
        .hasMessage("a Snappy page is corrupt");
    assertThatThrownBy(() -> ParquetCodecs.unsnappy(new byte[] {3, 0x08, 'a', 'b', 'c'}, 5))
        .hasMessage("a Snappy page holds 3 bytes, its header says 5");
    assertThatThrownBy(() -> ParquetCodecs.unsnappy(new byte[] {3, (byte) 0xFC, -1, -1, -1, 127, 'a'}, 3))
        .as("a literal claiming 2 GiB")
        .hasMessage("a Snappy page is corrupt");
    assertThatThrownBy(() ->
            new ParquetCodecs()
                .getDecompressor(CompressionCodecName.SNAPPY)
                .decompress(BytesInput.from(new byte[] {1}), ParquetCodecs.MAX_PAGE + 1))
        .hasMessageContaining("a page claims 268435457 bytes");
    assertThatThrownBy(() -> new ParquetCodecs().getDecompressor(CompressionCodecName.ZSTD))
        .isInstanceOf(KilnException.class)
        .hasMessage("pages compressed with ZSTD, which kiln predict does not read (uncompressed, SNAPPY or GZIP)");
  }

  @Test
  void readsAParquetFileWithSnappyPages() throws Exception {
    MessageType schema = MessageTypeParser.parseMessageType("message m { required double x1; optional int64 x2; }");
    Path file = dir.resolve("snappy.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withCodecFactory(new LiteralSnappy())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withType(schema)
            .build()) {
      for (int i = 0; i < 5000; i++) {
        Group g = groups.newGroup().append("x1", i / 4.0);
        if (i % 3 != 0) {
          g.append("x2", (long) i);
        }
        w.write(g);
      }
    }
    List<List<String>> rows = new ArrayList<>();
    try (ParquetRows r = ParquetRows.open(file, List.of("x2", "x1"))) {
      for (Optional<CsvRecords.Record> row = r.next(); row.isPresent(); row = r.next()) {
        rows.add(row.get().fields());
      }
    }
    assertThat(rows).hasSize(5000);
    assertThat(rows.get(0)).containsExactly("", "0.0");
    assertThat(rows.get(4999)).containsExactly("4999", "1249.75");
  }

  /** Writes valid Snappy of literals only (64 KiB each): enough to test the reader without a Snappy compressor. */
  private static final class LiteralSnappy implements CompressionCodecFactory {
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
      return new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
          byte[] in = bytes.toByteArray();
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          for (long v = in.length; ; v >>>= 7) { // varint length
            if (v < 0x80) {
              out.write((int) v);
              break;
            }
            out.write((int) (v & 0x7f) | 0x80);
          }
          for (int at = 0; at < in.length; at += 1 << 16) {
            int n = Math.min(1 << 16, in.length - at);
            out.write(61 << 2); // a literal whose length - 1 follows in 2 bytes
            out.write((n - 1) & 0xff);
            out.write((n - 1) >>> 8);
            out.write(in, at, n);
          }
          return BytesInput.from(out.toByteArray());
        }

        @Override
        public CompressionCodecName getCodecName() {
          return CompressionCodecName.SNAPPY;
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
