package dev.kiln.training.data;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Columns of a stored CSV whose values look like personal data: e-mail addresses, phone numbers or payment card numbers
 * (digits that pass the Luhn check). The upload report lists them, so the uploader can add a {@link ColumnPolicy} to
 * the next version; nothing is changed. A column is listed when at least 80% of its non-missing values, among the first
 * {@value #ROWS} rows, look alike.
 */
public final class PersonalColumns {
  static final int ROWS = 2000;
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9(][0-9 ()./-]{5,22}[0-9]");
  private static final Pattern DATE =
      Pattern.compile("[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}.*|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}.*");
  private static final Pattern CARD = Pattern.compile("[0-9][0-9 -]{11,22}[0-9]");

  /**
   * One column that looks personal.
   *
   * @param looksLike {@code email}, {@code phone} or {@code card_number}
   * @param matches values that look so, of {@code values} non-missing ones read
   */
  public record PersonalColumn(String column, String looksLike, long matches, long values) {}

  private PersonalColumns() {}

  /** The columns of {@code stored} that look personal; empty for a dataset that is not one CSV file. */
  public static List<PersonalColumn> scan(StoredDataset stored) {
    DatasetOptions o = stored.readOptions();
    DatasetFormat f = stored.manifest().format();
    if ((f != DatasetFormat.CSV && f != DatasetFormat.TEXT_CSV) || !Files.isRegularFile(stored.data())) {
      return List.of();
    }
    char delimiter = o.delimiter() == null ? CsvParser.delimiterFor(stored.data()) : o.delimiter().charAt(0);
    try (CsvParser p = CsvParser.open(stored.data(), delimiter, o.limitsOrDefault())) {
      int n = p.header().size();
      long[][] counts = new long[n][4]; // values, e-mail, phone, card
      String[] row;
      for (int r = 0; r < ROWS && (row = p.next()) != null; r++) {
        for (int i = 0; i < n; i++) {
          count(row[i], counts[i]);
        }
      }
      List<PersonalColumn> out = new ArrayList<>();
      String[] kinds = {"email", "phone", "card_number"};
      for (int i = 0; i < n; i++) {
        for (int k = 3; k >= 1; k--) { // a card number is also digits a phone pattern would take
          if (counts[i][0] > 0 && counts[i][k] * 5 >= counts[i][0] * 4) {
            out.add(new PersonalColumn(p.header().get(i), kinds[k - 1], counts[i][k], counts[i][0]));
            break;
          }
        }
      }
      return out;
    }
  }

  private static void count(String raw, long[] c) {
    if (MissingValues.isMissing(raw)) {
      return;
    }
    String v = raw.strip();
    c[0]++;
    if (EMAIL.matcher(v).matches()) {
      c[1]++;
    }
    boolean card = CARD.matcher(v).matches() && luhn(v.replaceAll("[ -]", ""));
    if (card) {
      c[3]++;
    } else if (PHONE.matcher(v).matches() && looksDialled(v)) {
      c[2]++;
    }
  }

  /** 7 to 15 digits (E.164) written as a number is dialled: a leading + or 0, or separators; not a plain count. */
  private static boolean looksDialled(String v) {
    long digits = v.chars().filter(Character::isDigit).count();
    boolean written = v.startsWith("+") || v.startsWith("0") || v.chars().anyMatch(ch -> " ()-./".indexOf(ch) >= 0);
    return digits >= 7 && digits <= 15 && written && !v.matches("[0-9]*\\.[0-9]+") && !DATE.matcher(v).matches();
  }

  static boolean luhn(String digits) {
    if (digits.length() < 13 || digits.length() > 19) {
      return false;
    }
    int sum = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = digits.charAt(digits.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      }
      sum += d;
    }
    return sum % 10 == 0;
  }
}
