package dev.kiln.cli;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * RFC 4180 records read one at a time from a stream (quoted fields may hold commas, line breaks and doubled quotes;
 * CRLF or LF line ends), so a file of any size is read in constant memory. A malformed quote names its line.
 */
final class CsvRecords {
  /** One record and the line it starts on (1 is the header). */
  record Record(long line, List<String> fields) {}

  /** Longest field, in characters: an unclosed quote near the top of a large file must not read it all into memory. */
  static final int MAX_FIELD = 1 << 20;

  private final Reader in;
  private final String name;
  private long line = 1;
  private int peeked = -2;
  private boolean started;

  /**
   * @param name the file's name, for errors
   */
  CsvRecords(Reader in, String name) {
    this.in = in;
    this.name = name;
  }

  /** The next record; empty at the end of the input. Blank lines are skipped. */
  Optional<Record> next() throws IOException {
    while (true) {
      int c = read();
      if (c == -1) {
        return Optional.empty();
      }
      if (c == '\n' || c == '\r') {
        endOfLine(c);
        continue;
      }
      long start = line;
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean afterQuote = false;
      while (true) {
        if (quoted) {
          if (c == -1) {
            throw bad(start, "a quoted field is not closed");
          }
          if (c == '"') {
            int n = read();
            if (n == '"') {
              field.append('"');
            } else {
              quoted = false;
              afterQuote = true;
              c = n;
              continue;
            }
          } else {
            if (c == '\n') {
              line++;
            }
            append(field, c, start);
          }
        } else if (c == ',' || c == '\n' || c == '\r' || c == -1) {
          fields.add(field.toString());
          field.setLength(0);
          afterQuote = false;
          if (c != ',') {
            if (c != -1) {
              endOfLine(c);
            }
            return Optional.of(new Record(start, fields));
          }
        } else if (afterQuote) {
          throw bad(line, "text after a closing quote");
        } else if (c == '"') {
          if (field.length() > 0) {
            throw bad(line, "a quote inside an unquoted field");
          }
          quoted = true;
        } else {
          append(field, c, start);
        }
        c = read();
      }
    }
  }

  /** {@code value} as a CSV field: quoted when it holds a comma, quote or line break. */
  static String field(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  private void append(StringBuilder field, int c, long start) {
    if (field.length() == MAX_FIELD) {
      throw bad(start, "a field longer than " + MAX_FIELD + " characters (is a quote not closed?)");
    }
    field.append((char) c);
  }

  private void endOfLine(int c) throws IOException {
    line++;
    if (c == '\r') {
      int n = read();
      if (n != '\n') {
        peeked = n;
      }
    }
  }

  private int read() throws IOException {
    if (peeked != -2) {
      int c = peeked;
      peeked = -2;
      return c;
    }
    int c = in.read();
    if (!started) {
      started = true;
      if (c == '\uFEFF') { // a byte order mark, as Excel writes UTF-8 CSV: not part of the first column's name
        c = in.read();
      }
    }
    return c;
  }

  private KilnClient.CallFailed bad(long at, String why) {
    return new KilnClient.CallFailed(name + " line " + at + ": " + why);
  }
}
