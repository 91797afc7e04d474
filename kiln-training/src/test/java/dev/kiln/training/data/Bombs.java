package dev.kiln.training.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small files that unpack or decode to far more than they weigh: the dataset bombs of the hostile catalogue. */
final class Bombs {
  private Bombs() {}

  /** A gzipped CSV of {@code columns} zero columns and {@code rows} rows (2 bytes a cell uncompressed). */
  static Path gzipCsv(Path file, int columns, long rows) throws IOException {
    StringBuilder header = new StringBuilder();
    StringBuilder row = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      header.append(c == 0 ? "" : ",").append('c').append(c);
      row.append(c == 0 ? "0" : ",0");
    }
    byte[] line = (row + "\n").getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write((header + "\n").getBytes(StandardCharsets.US_ASCII));
      for (long r = 0; r < rows; r++) {
        out.write(line);
      }
    }
    return file;
  }

  /** A plain CSV of {@code rows} rows of {@code columns} numbers and a label, every cell distinct text. */
  static Path plainCsv(Path file, int columns, int rows) throws IOException {
    try (var w = Files.newBufferedWriter(file)) {
      for (int c = 0; c < columns; c++) {
        w.write("x" + c + ",");
      }
      w.write("y\n");
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
          w.write(Integer.toString(r * 7 + c));
          w.write(".5,");
        }
        w.write(r % 3 == 0 ? "a\n" : "b\n");
      }
    }
    return file;
  }

  /** A gzipped CSV whose one data cell is {@code chars} characters long. */
  static Path hugeField(Path file, long chars) throws IOException {
    byte[] xs = new byte[1 << 16];
    java.util.Arrays.fill(xs, (byte) 'x');
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write("a,y\n1,".getBytes(StandardCharsets.US_ASCII));
      for (long n = 0; n < chars; n += xs.length) {
        out.write(xs);
      }
      out.write("\n".getBytes(StandardCharsets.US_ASCII));
    }
    return file;
  }

  /** A valid greyscale PNG of {@code side x side} black pixels: a few hundred KiB that decode to side² bytes. */
  static Path png(Path file, int side) throws IOException {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (OutputStream z = new DeflaterOutputStream(idat, new Deflater(9), 1 << 16)) {
      byte[] scanline = new byte[side + 1]; // filter byte 0, then the pixels
      for (int y = 0; y < side; y++) {
        z.write(scanline);
      }
    }
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(side);
    h.writeInt(side);
    h.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit grey, deflate, adaptive filter, no interlace
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
      chunk(out, "IHDR", ihdr.toByteArray());
      chunk(out, "IDAT", idat.toByteArray());
      chunk(out, "IEND", new byte[0]);
    }
    return file;
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeInt(data.length);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }

  /** A zip of one image folder whose one entry is {@code bytes} zeros (about 1,000 times smaller zipped). */
  static Path zip(Path file, long bytes) throws IOException {
    byte[] zeros = new byte[1 << 16];
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      z.putNextEntry(new ZipEntry("cats/zeros.png"));
      for (long n = 0; n < bytes; n += zeros.length) {
        z.write(zeros);
      }
      z.closeEntry();
    }
    return file;
  }
}
