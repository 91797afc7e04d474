package dev.kiln.training.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 parsing: fields may be quoted, quotes inside are doubled, quoted fields may span lines; CRLF or LF
 * line ends; blank lines are skipped. The first record is the header. Rows must be as wide as the header.
 */
final class CsvParser {
  private final Reader in;
  private final char delimiter;
  private final String file;
  private final ReadLimits limits;
  private int line = 1;
  private int pushedBack = -2;

  private CsvParser(Reader in, char delimiter, String file, ReadLimits limits) {
    this.in = in;
    this.delimiter = delimiter;
    this.file = file;
    this.limits = limits;
  }

  /** Parses {@code file} (gzipped or not); the delimiter is {@code ','} or as given. */
  static CsvTable read(Path path, char delimiter, ReadLimits limits) {
    String name = RawFiles.name(path);
    try (Reader r = new BufferedReader(new InputStreamReader(RawFiles.open(path, limits), StandardCharsets.UTF_8),
        1 << 16)) {
      return new CsvParser(r, delimiter, name, limits).table();
    } catch (IOException e) {
      throw new DatasetException(name + ": cannot be read", e);
    }
  }

  /** {@code '\t'} for {@code .tsv}/{@code .tab} files (gzipped or not), else {@code ','}. */
  static char delimiterFor(Path file) {
    String n = RawFiles.baseName(file);
    return n.endsWith(".tsv") || n.endsWith(".tab") ? '\t' : ',';
  }

  private CsvTable table() throws IOException {
    List<String> header = record();
    if (header == null) {
      throw new DatasetException(file + ": empty file (no header row)");
    }
    if (header.size() > limits.maxColumns()) {
      throw new DatasetException(file + ": " + header.size() + " columns, more than the limit of "
          + limits.maxColumns());
    }
    List<String[]> rows = new ArrayList<>();
    for (int startLine = line; ; startLine = line) {
      List<String> r = record();
      if (r == null) {
        break;
      }
      if (r.size() != header.size()) {
        throw new DatasetException(file + ": row " + (rows.size() + 1) + " (line " + startLine + ") has "
            + r.size() + " fields (expected: " + header.size() + ")");
      }
      if (rows.size() >= limits.maxRows()) {
        throw new DatasetException(file + ": more than the limit of " + limits.maxRows() + " rows");
      }
      rows.add(r.toArray(String[]::new));
    }
    return new CsvTable(file, header.stream().map(String::strip).toList(), rows);
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
    StringBuilder f = new StringBuilder();
    int startLine = line;
    while (true) {
      int c = read();
      if (c == '"' && f.isEmpty()) {
        quoted(f, startLine);
        c = read();
        if (c >= 0 && c != delimiter && c != '\r' && c != '\n') {
          throw new DatasetException(file + ": line " + line + ": text after a closing quote");
        }
      }
      if (c == delimiter) {
        out.add(f.toString());
        f.setLength(0);
        if (out.size() > limits.maxColumns()) {
          throw new DatasetException(file + ": line " + line + " has more than the limit of "
              + limits.maxColumns() + " columns");
        }
      } else if (c < 0 || c == '\r' || c == '\n') {
        out.add(f.toString());
        if (c >= 0) {
          endOfLine(c);
        }
        return out;
      } else {
        f.append((char) c);
      }
    }
  }

  private void quoted(StringBuilder f, int startLine) throws IOException {
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
      f.append((char) c);
    }
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
    return in.read();
  }

  private void unread(int c) {
    pushedBack = c;
  }
}
