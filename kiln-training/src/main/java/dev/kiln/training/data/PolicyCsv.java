package dev.kiln.training.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An upload with its {@link ColumnPolicy} applied, as a stream a store reads like the upload itself: the CSV is parsed
 * row by row ({@link CsvParser}, within the {@link ReadLimits}), each row's dropped fields left out and its hashed and
 * masked fields replaced, and the row written back as RFC 4180 CSV (fields quoted when they hold the delimiter, a quote
 * or a line break; LF line ends; the same delimiter). Only the current row is held, and nothing of the raw upload is
 * written anywhere, so a store never sees a dropped or raw value.
 */
public final class PolicyCsv extends InputStream {
  private final CsvParser parser;
  private final ValueTransform[] transforms;
  private final char delimiter;
  private byte[] chunk = new byte[0];
  private int pos;
  private boolean done;

  private PolicyCsv(CsvParser parser, ValueTransform[] transforms, char delimiter) {
    this.parser = parser;
    this.transforms = transforms;
    this.delimiter = delimiter;
  }

  /**
   * The upload {@code raw} (gzipped or not) of dataset {@code name} with {@code options.policy()} applied; {@code raw}
   * itself when the policy is empty. The header is read and checked here, before a store is given anything: a policy on
   * a format other than CSV, on the label or text column, on a chosen feature column or on a column the header lacks is
   * a {@link DatasetException} naming the column. The key is asked for only when a column is hashed.
   */
  public static InputStream apply(InputStream raw, String name, DatasetOptions options, DatasetKeys keys) {
    ColumnPolicy policy = options.policyOrNone();
    if (policy.isEmpty()) {
      return raw;
    }
    DatasetFormat format = options.format() == null ? DatasetFormat.CSV : options.format();
    if (format != DatasetFormat.CSV && format != DatasetFormat.TEXT_CSV) {
      throw new DatasetException(
          "policy: column '"
              + policy.columns().get(0)
              + "': column policies apply to CSV datasets only (format: "
              + format.name().toLowerCase(Locale.ROOT)
              + ")");
    }
    for (String c : policy.columns()) {
      if (c.equals(options.labelColumn()) || c.equals(options.textColumn())) {
        throw new DatasetException(
            "policy: column '"
                + c
                + "' is the dataset's "
                + (c.equals(options.labelColumn()) ? "label" : "text")
                + " column");
      }
      if (policy.drop().contains(c) && options.featureColumns().contains(c)) {
        throw new DatasetException("policy: column '" + c + "' is dropped but chosen as a feature");
      }
    }
    char delimiter = options.delimiter() == null ? ',' : options.delimiter().charAt(0);
    ReadLimits limits = options.limitsOrDefault();
    CsvParser parser;
    try {
      parser = CsvParser.open(RawFiles.open(raw, name, limits.maxFileBytes()), name, delimiter, limits);
    } catch (IOException e) {
      throw new DatasetException(name + ": cannot be read", e);
    }
    try {
      List<String> header = parser.header();
      for (String c : policy.columns()) {
        if (!header.contains(c)) {
          throw new DatasetException("policy: column '" + c + "' is not in the header " + header);
        }
      }
      Optional<byte[]> key = policy.hash().isEmpty() ? Optional.empty() : Optional.of(keys.hashKey(name));
      ValueTransform[] transforms = new ValueTransform[header.size()];
      for (int i = 0; i < transforms.length; i++) {
        transforms[i] = ValueTransform.of(policy, header.get(i), key);
      }
      PolicyCsv out = new PolicyCsv(parser, transforms, delimiter);
      out.write(header.toArray(String[]::new), true);
      return out;
    } catch (RuntimeException e) {
      parser.close();
      throw e;
    }
  }

  /** Refuses a non-empty policy for a folder dataset (or a zip of one), naming its first column. */
  public static void requireFile(ColumnPolicy policy, boolean folder) {
    if (folder && !policy.isEmpty()) {
      throw new DatasetException(
          "policy: column '" + policy.columns().get(0) + "': column policies apply to CSV datasets only, not folders");
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (pos == chunk.length) {
      if (done) {
        return -1;
      }
      String[] row = parser.next();
      if (row == null) {
        done = true;
        parser.close();
        return -1;
      }
      write(row, false);
    }
    int n = Math.min(len, chunk.length - pos);
    System.arraycopy(chunk, pos, b, off, n);
    pos += n;
    return n;
  }

  private void write(String[] row, boolean header) {
    StringBuilder line = new StringBuilder();
    boolean first = true;
    for (int i = 0; i < row.length; i++) {
      Optional<String> v = header ? transforms[i].keepsColumn(row[i]) : transforms[i].apply(row[i]);
      if (v.isEmpty()) {
        continue;
      }
      if (!first) {
        line.append(delimiter);
      }
      first = false;
      quote(v.get(), line);
    }
    line.append('\n');
    chunk = line.toString().getBytes(StandardCharsets.UTF_8);
    pos = 0;
  }

  private void quote(String v, StringBuilder out) {
    boolean quote = v.indexOf(delimiter) >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
    if (!quote) {
      out.append(v);
      return;
    }
    out.append('"').append(v.replace("\"", "\"\"")).append('"');
  }

  @Override
  public void close() {
    parser.close();
  }
}
