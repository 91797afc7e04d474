package dev.kiln.training.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads labelled texts: a CSV with a text and a label column, or {@code root/<class>/*.txt} (UTF-8). */
public final class TextReader {
  private TextReader() {}

  /** Streams the file, keeping only the text and label columns. */
  public static TextData readCsv(Path file, DatasetOptions options) {
    try (CsvParser p = CsvParser.open(file, TabularReader.delimiter(file, options), options.limitsOrDefault())) {
      if (options.textColumn() == null || options.labelColumn() == null) {
        throw new DatasetException(p.file() + ": text and label columns must both be given");
      }
      int text = p.column(options.textColumn());
      int label = p.column(options.labelColumn());
      List<String> texts = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      Map<String, String> shared = new HashMap<>();
      for (String[] row = p.next(); row != null; row = p.next()) {
        if (MissingValues.isMissing(row[label])) {
          throw new DatasetException(
              p.file() + ": row " + (texts.size() + 1) + ", column '" + options.labelColumn() + "': missing label");
        }
        texts.add(row[text]);
        labels.add(shared.computeIfAbsent(row[label].strip(), s -> s));
      }
      if (texts.isEmpty()) {
        throw new DatasetException(p.file() + ": no data rows");
      }
      return new TextData(p.file(), texts, labels);
    }
  }

  public static TextData readFolder(Path root, DatasetOptions options) {
    ReadLimits limits = options.limitsOrDefault();
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Path dir : Folders.classes(root)) {
      for (Path file : Folders.files(dir, List.of(".txt"))) {
        if (texts.size() >= limits.maxRows()) {
          throw new DatasetTooLargeException(
              RawFiles.name(root) + ": more than the limit of " + limits.maxRows() + " texts");
        }
        try (InputStream in = RawFiles.open(file, limits)) {
          // A text is one field, as in a text CSV: at most maxFieldChars (in bytes, which bounds the chars).
          byte[] bytes = in.readNBytes(limits.maxFieldChars() + 1);
          if (bytes.length > limits.maxFieldChars()) {
            throw new DatasetTooLargeException(
                RawFiles.name(dir)
                    + "/"
                    + RawFiles.name(file)
                    + ": longer than the limit of "
                    + limits.maxFieldChars()
                    + " bytes a text");
          }
          texts.add(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new DatasetException(RawFiles.name(dir) + "/" + RawFiles.name(file) + ": cannot be read", e);
        }
        labels.add(RawFiles.name(dir));
      }
    }
    if (texts.isEmpty()) {
      throw new DatasetException(RawFiles.name(root) + ": no .txt files in the class folders");
    }
    return new TextData(RawFiles.name(root), texts, labels);
  }
}
