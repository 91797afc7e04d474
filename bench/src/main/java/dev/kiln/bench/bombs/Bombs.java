package dev.kiln.bench.bombs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The hostile request bodies of issue 10 / bad-inputs T3–T4, built in memory small: each is a few KiB to a few MiB on
 * the wire and expands to gigabytes (or declares gigabytes) on the server. Nothing here is random, so every run sends
 * the same bytes.
 */
final class Bombs {
  private Bombs() {}

  /**
   * An OIP JSON request declaring an FP64 input of shape {@code [rows, 784]} with a single value in {@code data},
   * padded with spaces to {@code bodyBytes} and gzipped: what the server must refuse before allocating the declared
   * tensor.
   */
  static byte[] declaredShapeJson(String input, long rows, int bodyBytes) throws IOException {
    String head =
        "{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"FP64\",\"shape\":[" + rows + ",784],\"data\":[0]}]";
    return gzip(out -> {
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      writeRepeated(out, (byte) ' ', bodyBytes - head.length() - 1);
      out.write('}');
    });
  }

  /** A valid OIP JSON request of {@code rows × 784} zeros (FP32), about {@code rows × 1.5 KiB} inflated, gzipped. */
  static byte[] validZerosJson(String input, int rows) throws IOException {
    String head =
        "{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"FP32\",\"shape\":[" + rows + ",784],\"data\":[0";
    byte[] zeros = ",0".repeat(4096).getBytes(StandardCharsets.US_ASCII);
    long remaining = (long) rows * 784 - 1;
    return gzip(out -> {
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      long left = remaining;
      while (left > 0) {
        int n = (int) Math.min(4096, left);
        out.write(zeros, 0, n * 2);
        left -= n;
      }
      out.write("]}]}".getBytes(StandardCharsets.US_ASCII));
    });
  }

  /**
   * A gzipped CSV of {@code columns} numeric columns and a {@code label} column that inflates to about {@code
   * inflatedBytes}. Built as one gzip member repeated: a gzip stream may hold several members, which every reader (the
   * JDK's included) concatenates, so a 2 GiB file costs one 64 MiB compression here.
   */
  static byte[] csvBomb(int columns, long inflatedBytes) throws IOException {
    StringBuilder header = new StringBuilder();
    StringBuilder row = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      header.append('c').append(c).append(',');
      row.append(c % 10).append(',');
    }
    header.append("label\n");
    row.append("1\n");
    byte[] rowBytes = row.toString().getBytes(StandardCharsets.US_ASCII);
    int memberBytes = 64 << 20;
    int rowsPerMember = memberBytes / rowBytes.length;
    byte[] member =
        gzip(out -> {
          for (int i = 0; i < rowsPerMember; i++) {
            out.write(rowBytes);
          }
        });
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(gzip(out -> out.write(header.toString().getBytes(StandardCharsets.US_ASCII))));
    long members = Math.max(1, inflatedBytes / ((long) rowsPerMember * rowBytes.length));
    for (long m = 0; m < members; m++) {
      all.write(member);
    }
    return all.toByteArray();
  }

  /** A plain CSV of about {@code bytes}: {@code columns} small numbers per row and a two-class label. */
  static byte[] plainCsv(int columns, int bytes) {
    StringBuilder sb = new StringBuilder(bytes + 4096);
    for (int c = 0; c < columns; c++) {
      sb.append('f').append(c).append(',');
    }
    sb.append("label\n");
    int r = 0;
    while (sb.length() < bytes) {
      for (int c = 0; c < columns; c++) {
        sb.append((r * 31 + c * 7) % 100 / 10.0).append(',');
      }
      sb.append(r % 2 == 0 ? "a" : "b").append('\n');
      r++;
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** A zip of an image folder with one {@code side × side} greyscale PNG per class: a few hundred KiB each. */
  static byte[] pngBombZip(int side, String... classes) throws IOException {
    byte[] png = blankPng(side);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String c : classes) {
        zip.putNextEntry(new ZipEntry(c + "/big.png"));
        zip.write(png);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** A zip of a text folder whose one entry inflates to {@code inflatedBytes} of the letter {@code a}. */
  static byte[] zipBomb(long inflatedBytes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.setLevel(Deflater.BEST_COMPRESSION);
      zip.putNextEntry(new ZipEntry("a/1.txt"));
      writeRepeated(zip, (byte) 'a', inflatedBytes);
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("b/1.txt"));
      zip.write("b".getBytes(StandardCharsets.US_ASCII));
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  /** An 8-bit greyscale PNG of zeros, written chunk by chunk so no image is ever held in memory here. */
  static byte[] blankPng(int side) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr =
        ByteBuffer.allocate(13)
            .putInt(side)
            .putInt(side)
            .put((byte) 8)
            .put((byte) 0)
            .put((byte) 0)
            .put((byte) 0)
            .put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
      byte[] line = new byte[side + 1]; // filter byte 0, then the row
      for (int y = 0; y < side; y++) {
        z.write(line);
      }
    }
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private static byte[] gzip(Body body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
      body.writeTo(gz);
    }
    return bytes.toByteArray();
  }

  private static void writeRepeated(OutputStream out, byte b, long n) throws IOException {
    byte[] block = new byte[1 << 16];
    Arrays.fill(block, b);
    for (long left = n; left > 0; left -= block.length) {
      out.write(block, 0, (int) Math.min(block.length, left));
    }
  }
}
