package dev.kiln.training.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Streaming RFC 4180 parsing: fields may be quoted, quotes inside are doubled, quoted fields may span lines; CRLF or LF
 * line ends; blank lines are skipped. The first record is the header. Rows must be as wide as the header. Only the
 * current row is held, and the {@link ReadLimits} (rows, columns, cells, field length, inflated bytes) are checked as
 * it is read, so a hostile file is refused before it costs memory.
 */
final class CsvParser implements Closeable {
  private final Reader in;
  private final char delimiter;
  private final String file;
  private final ReadLimits limits;
  private final char[] buf = new char[1 << 16];
  private final StringBuilder field = new StringBuilder();
  private final List<String> header;
  private int pos;
  private int end;
  private int line = 1;
  private int pushedBack = -2;
  private long rows;

  private CsvParser(Reader in, char delimiter, String file, ReadLimits limits) throws IOException {
    this.in = in;
    this.delimiter = delimiter;
    this.file = file;
    this.limits = limits;
    List<String> h = record();
    if (h == null) {
      throw new DatasetException(file + ": empty file (no header row)");
    }
    if (h.size() > limits.maxColumns()) {
      throw new DatasetTooLargeException(
          file + ": " + h.size() + " columns, more than the limit of " + limits.maxColumns());
    }
    this.header = h.stream().map(String::strip).toList();
  }

  /** Opens {@code path} (gzipped or not) and reads its header; the delimiter is {@code ','} or as given. */
  static CsvParser open(Path path, char delimiter, ReadLimits limits) {
    String name = RawFiles.name(path);
    Reader r = new InputStreamReader(RawFiles.open(path, limits), StandardCharsets.UTF_8);
    try {
      return new CsvParser(r, delimiter, name, limits);
    } catch (IOException | RuntimeException e) {
      closeQuietly(r);
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new DatasetException(name + ": cannot be read", e);
    }
  }

  /** Reads the header of an upload being streamed (already gunzipped and capped, see {@link RawFiles}). */
  static CsvParser open(InputStream in, String name, char delimiter, ReadLimits limits) {
    Reader r = new InputStreamReader(in, StandardCharsets.UTF_8);
    try {
      return new CsvParser(r, delimiter, name, limits);
    } catch (IOException | RuntimeException e) {
      closeQuietly(r);
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new DatasetException(name + ": cannot be read", e);
    }
  }

  /** The whole file as a table; for small files and tests (readers stream with {@link #next()}). */
  static CsvTable read(Path path, char delimiter, ReadLimits limits) {
    try (CsvParser p = open(path, delimiter, limits)) {
      List<String[]> rows = new ArrayList<>();
      for (String[] r = p.next(); r != null; r = p.next()) {
        rows.add(r);
      }
      return new CsvTable(p.file(), p.header(), rows);
    }
  }

  /** {@code '\t'} for {@code .tsv}/{@code .tab} files (gzipped or not), else {@code ','}. */
  static char delimiterFor(Path file) {
    String n = RawFiles.baseName(file);
    return n.endsWith(".tsv") || n.endsWith(".tab") ? '\t' : ',';
  }

  String file() {
    return file;
  }

  List<String> header() {
    return header;
  }

  /** The index of {@code name} in the header, or a {@link DatasetException} listing what the header has. */
  int column(String name) {
    return CsvTable.column(file, header, name);
  }

  /** The next data row, as wide as the header, or null at the end of the file. */
  String[] next() {
    try {
      int startLine = line;
      List<String> r = record();
      if (r == null) {
        return null;
      }
      if (r.size() != header.size()) {
        throw new DatasetException(
            file
                + ": row "
                + (rows + 1)
                + " (line "
                + startLine
                + ") has "
                + r.size()
                + " fields (expected: "
                + header.size()
                + ")");
      }
      if (rows >= limits.maxRows()) {
        throw new DatasetTooLargeException(file + ": more than the limit of " + limits.maxRows() + " rows");
      }
      rows++;
      if (rows * header.size() > limits.maxCells()) {
        throw new DatasetTooLargeException(
            file
                + ": more than the limit of "
                + limits.maxCells()
                + " cells ("
                + rows
                + " rows of "
                + header.size()
                + " columns)");
      }
      return r.toArray(String[]::new);
    } catch (IOException e) {
      throw new DatasetException(file + ": cannot be read", e);
    }
  }

  @Override
  public void close() {
    closeQuietly(in);
  }

  /** The next non-blank record, or null at the end of input. */
  private List<String> record() throws IOException {
    while (true) {
      int c = read();
      if (c < 0) {
        return null;
      }
      if (c == '\r' || c == '\n') {
        endOfLine(c);
        continue;
      }
      unread(c);
      return fields();
    }
  }

  private List<String> fields() throws IOException {
    List<String> out = new ArrayList<>();
    field.setLength(0);
    int startLine = line;
    while (true) {
      int c = read();
      if (c == '"' && field.isEmpty()) {
        quoted(startLine);
        c = read();
        if (c >= 0 && c != delimiter && c != '\r' && c != '\n') {
          throw new DatasetException(file + ": line " + line + ": text after a closing quote");
        }
      }
      if (c == delimiter) {
        out.add(field.toString());
        field.setLength(0);
        if (out.size() > limits.maxColumns()) {
          throw new DatasetTooLargeException(
              file + ": line " + line + " has more than the limit of " + limits.maxColumns() + " columns");
        }
      } else if (c < 0 || c == '\r' || c == '\n') {
        out.add(field.toString());
        if (c >= 0) {
          endOfLine(c);
        }
        return out;
      } else {
        append(c);
      }
    }
  }

  private void quoted(int startLine) throws IOException {
    while (true) {
      int c = read();
      if (c < 0) {
        throw new DatasetException(file + ": unterminated quoted field starting on line " + startLine);
      }
      if (c == '"') {
        int next = read();
        if (next != '"') {
          unread(next);
          return;
        }
      } else if (c == '\n') {
        line++;
      }
      append(c);
    }
  }

  private void append(int c) {
    if (field.length() >= limits.maxFieldChars()) {
      throw new DatasetTooLargeException(
          file + ": line " + line + ": a field longer than the limit of " + limits.maxFieldChars() + " characters");
    }
    field.append((char) c);
  }

  private void endOfLine(int c) throws IOException {
    line++;
    if (c == '\r') {
      int next = read();
      if (next != '\n') {
        unread(next);
      }
    }
  }

  private int read() throws IOException {
    if (pushedBack != -2) {
      int c = pushedBack;
      pushedBack = -2;
      return c;
    }
    if (pos == end) {
      end = in.read(buf, 0, buf.length);
      pos = 0;
      if (end <= 0) {
        end = 0;
        return -1;
      }
    }
    return buf[pos++];
  }

  private void unread(int c) {
    pushedBack = c;
  }

  private static void closeQuietly(Reader r) {
    try {
      r.close();
    } catch (IOException ignored) {
      // nothing was written; a failed close of a read-only stream loses nothing
    }
  }
}
