package dev.kiln.protocol.rest;

import dev.kiln.core.error.KilnException;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a CSV body as RFC 4180 writes them (pandas' {@code to_csv}, spreadsheets): fields separated by commas,
 * records by CRLF, LF or CR; a field in double quotes may hold commas, line breaks and quotes written twice ({@code
 * ""}). Whitespace around a field (or around its quotes) is dropped, and blank lines are skipped. A malformed quote is
 * INVALID_ARGUMENT naming its line.
 *
 * <p>The training module has its own streaming CSV parser for dataset files, but a protocol adapter may not depend on
 * training (kiln-architecture's module rules), and a request body is already in memory; hence this small one.
 */
final class CsvRecords {
  /** One record: the line it starts on (1-based, counting every line of the body) and its fields. */
  record Record(int line, List<String> cells) {
    Record {
      cells = List.copyOf(cells);
    }
  }

  private final String text;
  private int at;
  private int line = 1;

  private CsvRecords(String text) {
    this.text = text;
    this.at = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? 1 : 0; // a byte-order mark some editors write
  }

  static List<Record> parse(String text) {
    return new CsvRecords(text).records();
  }

  private List<Record> records() {
    List<Record> out = new ArrayList<>();
    while (at < text.length()) {
      int start = line;
      List<String> cells = new ArrayList<>();
      boolean blank = true;
      while (true) {
        skipSpace();
        boolean quoted = at < text.length() && text.charAt(at) == '"';
        String cell = quoted ? quoted() : unquoted();
        blank &= !quoted && cell.isEmpty();
        cells.add(cell);
        if (at < text.length() && text.charAt(at) == ',') {
          at++;
          blank = false;
          continue;
        }
        endOfLine();
        break;
      }
      if (!blank) {
        out.add(new Record(start, cells));
      }
    }
    return out;
  }

  private String quoted() {
    int opened = line;
    StringBuilder cell = new StringBuilder();
    at++;
    while (true) {
      if (at >= text.length()) {
        throw KilnException.invalid("CSV line " + opened + ": a quoted field is not closed");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        if (at < text.length() && text.charAt(at) == '"') {
          cell.append('"');
          at++;
          continue;
        }
        break;
      }
      if (c == '\n' || (c == '\r' && (at >= text.length() || text.charAt(at) != '\n'))) {
        line++;
      }
      cell.append(c);
    }
    skipSpace();
    if (at < text.length() && !isEnd(text.charAt(at)) && text.charAt(at) != ',') {
      throw KilnException.invalid(
          "CSV line " + line + ": text after a closing quote (a quote inside a quoted field is written twice)");
    }
    return cell.toString();
  }

  private String unquoted() {
    int from = at;
    while (at < text.length() && text.charAt(at) != ',' && !isEnd(text.charAt(at))) {
      if (text.charAt(at) == '"') {
        throw KilnException.invalid(
            "CSV line "
                + line
                + ": a quote inside an unquoted field (quote the whole field and write the quote twice)");
      }
      at++;
    }
    return text.substring(from, at).strip();
  }

  private void endOfLine() {
    if (at < text.length() && text.charAt(at) == '\r') {
      at++;
    }
    if (at < text.length() && text.charAt(at) == '\n') {
      at++;
    }
    line++;
  }

  private void skipSpace() {
    while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
      at++;
    }
  }

  private static boolean isEnd(char c) {
    return c == '\n' || c == '\r';
  }
}
