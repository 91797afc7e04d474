package dev.kiln.cli;

import dev.kiln.core.error.KilnException;
import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.ByteBufferAllocator;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.crypto.FileDecryptionProperties;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.ParquetMetricsCallback;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page compression without Hadoop: parquet-java's own codec factory builds Hadoop codecs (and a Hadoop {@code
 * Configuration}), which would pull in hadoop-common and its tree. GZIP goes through the JDK's zlib; Snappy, Zstd and
 * LZ4_RAW through aircompressor (pure Java, the library parquet-java itself uses for LZ4_RAW). Reads uncompressed,
 * GZIP, SNAPPY, ZSTD and LZ4_RAW; writes uncompressed, GZIP, SNAPPY and ZSTD. Brotli, LZO and the Hadoop-framed LZ4 are
 * refused naming the codec.
 */
final class ParquetCodecs implements CompressionCodecFactory {
  /** Largest uncompressed page: writers cut pages at about 1 MiB; a header claiming more is corrupt or hostile. */
  static final int MAX_PAGE = 256 << 20;

  /** What {@code kiln predict} writes. */
  static final Set<CompressionCodecName> WRITTEN =
      Set.of(
          CompressionCodecName.UNCOMPRESSED,
          CompressionCodecName.GZIP,
          CompressionCodecName.SNAPPY,
          CompressionCodecName.ZSTD);

  private static final Set<CompressionCodecName> READ =
      Set.of(
          CompressionCodecName.UNCOMPRESSED,
          CompressionCodecName.GZIP,
          CompressionCodecName.SNAPPY,
          CompressionCodecName.ZSTD,
          CompressionCodecName.LZ4_RAW);

  /**
   * Read options with {@link ParquetCodecs}. {@code ParquetReadOptions.builder()} always builds a Hadoop codec factory
   * first (which needs hadoop-common and hadoop-mapreduce on the class path), so the options' own constructor is called
   * instead: package-private in parquet-java 1.18, its arguments are the builder's defaults.
   */
  static final ParquetReadOptions READ_OPTIONS = readOptions();

  private static ParquetReadOptions readOptions() {
    try {
      Constructor<ParquetReadOptions> c =
          ParquetReadOptions.class.getDeclaredConstructor(
              boolean.class,
              boolean.class,
              boolean.class,
              boolean.class,
              boolean.class,
              boolean.class,
              boolean.class,
              boolean.class,
              boolean.class,
              FilterCompat.Filter.class,
              ParquetMetadataConverter.MetadataFilter.class,
              CompressionCodecFactory.class,
              ByteBufferAllocator.class,
              int.class,
              Map.class,
              FileDecryptionProperties.class,
              ParquetMetricsCallback.class,
              ParquetConfiguration.class);
      c.setAccessible(true);
      // signed min/max, stats, dictionary, record, vectored IO, column index, page checksums, bloom, off-heap
      return c.newInstance(
          false,
          true,
          true,
          true,
          false,
          true,
          false,
          true,
          false,
          FilterCompat.NOOP,
          ParquetMetadataConverter.NO_FILTER,
          new ParquetCodecs(),
          new HeapByteBufferAllocator(),
          8 << 20,
          Map.of(),
          null,
          null,
          new PlainParquetConfiguration());
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("parquet-java's ParquetReadOptions changed; see ParquetCodecs", e);
    }
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    if (!WRITTEN.contains(codec)) {
      throw KilnException.invalid("kiln predict writes Parquet uncompressed, GZIP, SNAPPY or ZSTD, not " + codec);
    }
    return new BytesInputCompressor() {
      @Override
      public BytesInput compress(BytesInput in) throws IOException {
        return switch (codec) {
          case UNCOMPRESSED -> in;
          case GZIP -> gzip(in);
          case SNAPPY -> BytesInput.from(pack(new SnappyCompressor(), in.toByteArray()));
          default -> BytesInput.from(pack(new ZstdCompressor(), in.toByteArray()));
        };
      }

      @Override
      public CompressionCodecName getCodecName() {
        return codec;
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    if (!READ.contains(codec)) {
      throw KilnException.invalid(
          "pages compressed with "
              + codec
              + ", which kiln predict does not read (uncompressed, SNAPPY, ZSTD, LZ4_RAW or GZIP)");
    }
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput in, int size) throws IOException {
        // Checked before anything is allocated: the size comes from the page header, which a hostile file chooses.
        if (size < 0 || size > MAX_PAGE) {
          throw new IOException("a page claims " + size + " bytes (at most " + MAX_PAGE + " are read)");
        }
        return switch (codec) {
          case UNCOMPRESSED -> in;
          case GZIP -> BytesInput.from(gunzip(in.toInputStream(), size));
          case SNAPPY -> BytesInput.from(unpack(new SnappyDecompressor(), codec, in.toByteArray(), size));
          case ZSTD -> BytesInput.from(unpack(new ZstdDecompressor(), codec, in.toByteArray(), size));
          default -> BytesInput.from(unpack(new Lz4Decompressor(), codec, in.toByteArray(), size));
        };
      }

      @Override
      public void decompress(ByteBuffer in, int compressedSize, ByteBuffer out, int size) throws IOException {
        byte[] packed = new byte[compressedSize];
        in.get(packed);
        out.put(decompress(BytesInput.from(packed), size).toByteArray());
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void release() {}

  private static BytesInput gzip(BytesInput in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(64, in.size() / 2));
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      in.writeAllTo(gzip);
    }
    return BytesInput.from(out.toByteArray());
  }

  private static byte[] pack(Compressor compressor, byte[] in) {
    byte[] out = new byte[compressor.maxCompressedLength(in.length)];
    int n = compressor.compress(in, 0, in.length, out, 0, out.length);
    return Arrays.copyOf(out, n);
  }

  /**
   * One block of {@code size} bytes: aircompressor checks every length and offset against the output's bounds, so a
   * corrupt page is an error (its unchecked exceptions become one IOException), never more than {@code size} bytes.
   */
  private static byte[] unpack(Decompressor d, CompressionCodecName codec, byte[] in, int size) throws IOException {
    byte[] out = new byte[size];
    int n;
    try {
      n = d.decompress(in, 0, in.length, out, 0, size);
    } catch (RuntimeException e) {
      throw new IOException("a " + codec + " page is corrupt (" + e.getMessage() + ")");
    }
    if (n != size) {
      throw new IOException("a " + codec + " page holds " + n + " bytes, its header says " + size);
    }
    return out;
  }

  private static byte[] gunzip(InputStream in, int size) throws IOException {
    try (GZIPInputStream gzip = new GZIPInputStream(in)) {
      byte[] out = gzip.readNBytes(size);
      if (out.length != size) {
        throw new IOException("a GZIP page holds " + out.length + " bytes, its header says " + size);
      }
      return out;
    }
  }
}
