package dev.kiln.cli;

import dev.kiln.core.error.KilnException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page compression without Hadoop: parquet-java's own codec factory builds Hadoop codecs (and a Hadoop {@code
 * Configuration}), which would pull in hadoop-common and its tree. Reads uncompressed, GZIP (the JDK's zlib) and Snappy
 * (the format is small enough to decode here: pyarrow and Spark write it by default); writes uncompressed or GZIP. Any
 * other codec (ZSTD, LZ4, Brotli) is refused naming it.
 */
final class ParquetCodecs implements CompressionCodecFactory {
  /** Largest uncompressed page: writers cut pages at about 1 MiB; a header claiming more is corrupt or hostile. */
  static final int MAX_PAGE = 256 << 20;

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    if (codec != CompressionCodecName.UNCOMPRESSED && codec != CompressionCodecName.GZIP) {
      throw KilnException.invalid("kiln predict writes Parquet uncompressed or GZIP, not " + codec);
    }
    return new BytesInputCompressor() {
      @Override
      public BytesInput compress(BytesInput in) throws IOException {
        if (codec == CompressionCodecName.UNCOMPRESSED) {
          return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(64, in.size() / 2));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
          in.writeAllTo(gzip);
        }
        return BytesInput.from(out.toByteArray());
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
    if (codec != CompressionCodecName.UNCOMPRESSED
        && codec != CompressionCodecName.GZIP
        && codec != CompressionCodecName.SNAPPY) {
      throw KilnException.invalid(
          "pages compressed with " + codec + ", which kiln predict does not read (uncompressed, SNAPPY or GZIP)");
    }
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput in, int size) throws IOException {
        if (size < 0 || size > MAX_PAGE) {
          throw new IOException("a page claims " + size + " bytes (at most " + MAX_PAGE + " are read)");
        }
        return switch (codec) {
          case UNCOMPRESSED -> in;
          case GZIP -> BytesInput.from(gunzip(in.toInputStream(), size));
          default -> BytesInput.from(unsnappy(in.toByteArray(), size));
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

  private static byte[] gunzip(InputStream in, int size) throws IOException {
    try (GZIPInputStream gzip = new GZIPInputStream(in)) {
      byte[] out = gzip.readNBytes(size);
      if (out.length != size) {
        throw new IOException("a GZIP page holds " + out.length + " bytes, its header says " + size);
      }
      return out;
    }
  }

  /**
   * Decodes one raw Snappy block (format_description.txt in google/snappy): a varint length, then literals and copies
   * of earlier output. Every length and offset is checked against what was promised, so a corrupt page is an error,
   * never a read out of bounds or an allocation larger than the page's declared size.
   */
  static byte[] unsnappy(byte[] in, int size) throws IOException {
    int[] at = {0};
    long declared = varint(in, at);
    if (declared != size) {
      throw new IOException("a Snappy page holds " + declared + " bytes, its header says " + size);
    }
    byte[] out = new byte[size];
    int o = 0;
    int i = at[0];
    while (i < in.length) {
      int tag = in[i++] & 0xff;
      int kind = tag & 3;
      int length;
      int offset;
      if (kind == 0) { // literal: length in the tag, or in the 1-4 bytes after it
        length = tag >>> 2;
        if (length >= 60) {
          int bytes = length - 59;
          check(i + bytes <= in.length);
          length = 0;
          for (int b = 0; b < bytes; b++) {
            length |= (in[i++] & 0xff) << (8 * b);
          }
        }
        length++;
        check(length > 0 && length <= in.length - i && length <= size - o);
        System.arraycopy(in, i, out, o, length);
        i += length;
        o += length;
        continue;
      }
      if (kind == 1) {
        check(i < in.length);
        length = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | (in[i++] & 0xff);
      } else {
        int bytes = kind == 2 ? 2 : 4;
        check(i + bytes <= in.length);
        length = 1 + (tag >>> 2);
        offset = 0;
        for (int b = 0; b < bytes; b++) {
          offset |= (in[i++] & 0xff) << (8 * b);
        }
      }
      check(offset > 0 && offset <= o && length <= size - o);
      for (int k = 0; k < length; k++, o++) { // byte by byte: a copy may overlap what it writes
        out[o] = out[o - offset];
      }
    }
    check(o == size);
    return out;
  }

  private static long varint(byte[] in, int[] at) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      check(at[0] < in.length);
      int b = in[at[0]++] & 0xff;
      value |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
    throw new IOException("a Snappy page's length is malformed");
  }

  private static void check(boolean ok) throws IOException {
    if (!ok) {
      throw new IOException("a Snappy page is corrupt");
    }
  }
}
