package dev.kiln.bench.predict;

import java.io.BufferedReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The benchmark's CSV ({@code id} then numeric columns, no quoting) as an uncompressed Parquet file with 8 MiB row
 * groups (about 110,000 rows of 9 columns: several groups, as a large file has): {@code id} INT64, the rest DOUBLE, an
 * empty cell a null. {@code kiln predict} holds one row group's chosen columns at a time.
 *
 * <p>{@code CsvToParquet IN.csv OUT.parquet}
 */
public final class CsvToParquet {
  private CsvToParquet() {}

  public static void main(String[] args) throws Exception {
    try (BufferedReader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String[] header = in.readLine().split(",");
      Types.MessageTypeBuilder b = Types.buildMessage();
      b.required(PrimitiveTypeName.INT64).named(header[0]);
      for (int c = 1; c < header.length; c++) {
        b.optional(PrimitiveTypeName.DOUBLE).named(header[c]);
      }
      MessageType schema = b.named("rows");
      SimpleGroupFactory groups = new SimpleGroupFactory(schema);
      try (ParquetWriter<Group> out =
          ExampleParquetWriter.builder(new LocalOutputFile(Path.of(args[1])))
              .withConf(new PlainParquetConfiguration())
              .withCodecFactory(new Uncompressed())
              .withType(schema)
              .withRowGroupSize(8L << 20)
              .build()) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String[] f = line.split(",", -1);
          Group g = groups.newGroup().append(header[0], Long.parseLong(f[0]));
          for (int c = 1; c < f.length; c++) {
            if (!f[c].isEmpty()) {
              g.append(header[c], Double.parseDouble(f[c]));
            }
          }
          out.write(g);
        }
      }
    }
  }

  /** No compression, so that no Hadoop codec is loaded (kiln-cli's ParquetCodecs explains why). */
  private static final class Uncompressed implements CompressionCodecFactory {
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
      return new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) {
          return bytes;
        }

        @Override
        public CompressionCodecName getCodecName() {
          return CompressionCodecName.UNCOMPRESSED;
        }

        @Override
        public void release() {}
      };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
      return new BytesInputDecompressor() {
        @Override
        public BytesInput decompress(BytesInput bytes, int size) {
          return bytes;
        }

        @Override
        public void decompress(ByteBuffer in, int compressedSize, ByteBuffer out, int size) {
          out.put(in);
        }

        @Override
        public void release() {}
      };
    }

    @Override
    public void release() {}
  }
}
